// The Portfolio MCP server: protected resource metadata, the auth gate, and the MCP endpoint.
import http from 'node:http';
import { createAccessTokenVerifier } from '../common/access-token.js';
import type { StackConfig } from '../common/config.js';
import { BodyError, readBody, listen } from '../common/http.js';
import { createJsonClient } from '../common/http-client.js';
import { createLogger } from '../common/log.js';
import { createSpanRecorder, currentSpan } from '../common/trace.js';
import type { RunningService } from '../auth-server/server.js';
import { createApiClient } from './api-client.js';
import { createCibaClient } from './ciba-client.js';
import { createPdpClient } from './pdp-client.js';
import { createPendingApprovals } from './pending-approvals.js';
import type { ToolServices } from './tools/registry.js';
import { createAudit, openMcpStore, type AuditRecord } from './audit.js';
import { createAuthGate } from './auth-gate.js';
import { createTokenExchanger } from './exchange.js';
import { createRevocationList } from './revocations.js';
import { createMcpHandler } from './mcp-handler.js';
import { annotateMcpSpan, mcpSpanName, toolArguments } from './tracing.js';
import { loadWidgetResources } from './widget-resource.js';
import { PRM_PATH, protectedResourceMetadata, resourceMetadataUrl } from './metadata.js';

const MAX_BODY = 256 * 1024;

export async function startMcpServer(config: StackConfig): Promise<RunningService> {
  const log = createLogger('mcp-server', config.logLevel);
  const widgets = loadWidgetResources();
  const db = openMcpStore(config.dataDir);
  const audit = createAudit(db, log);
  const tracer = createSpanRecorder('mcp-server', db);
  const requestJson = createJsonClient();
  const services: ToolServices = {
    api: createApiClient(config, requestJson),
    pdp: createPdpClient(config, requestJson),
    ciba: createCibaClient(config, requestJson),
    approvals: createPendingApprovals(db),
  };
  const exchanger = createTokenExchanger(config, requestJson);
  const gate = createAuthGate({
    verify: createAccessTokenVerifier({ issuer: config.auth.publicUrl, jwksUrl: `${config.auth.internalUrl}/jwks`, audience: config.mcpResource }),
    exchanger,
    // a revocation also drops the API tokens exchanged from revoked host tokens
    isRevoked: createRevocationList(config, requestJson, log, exchanger.clear),
    resourceMetadata: resourceMetadataUrl(config),
    challengeInToolResult: config.challengeInToolResult,
  });
  const handleMcp = createMcpHandler(log, '0.1.0', widgets);
  const prm = JSON.stringify(protectedResourceMetadata(config));
  const mcpPath = new URL(config.mcpResource).pathname;

  const sendJson = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };

  async function handleMcpPost(req: http.IncomingMessage, res: http.ServerResponse) {
    const started = performance.now();
    const record: AuditRecord = { time: Date.now(), methods: [], decision: 'bad_request' };
    const span = currentSpan();
    res.on('finish', () => {
      if (span) annotateMcpSpan(span, record);
      record.status = res.statusCode;
      record.ms = Math.round((performance.now() - started) * 10) / 10;
      audit(record);
    });

    let body: unknown;
    try {
      body = JSON.parse((await readBody(req, MAX_BODY)).toString('utf8'));
    } catch (err) {
      const status = err instanceof BodyError ? err.status : 400;
      return sendJson(res, status, { jsonrpc: '2.0', id: null, error: { code: -32700, message: err instanceof BodyError ? err.message : 'Parse error: body is not JSON' } });
    }
    const messages = (Array.isArray(body) ? body : [body]).filter((m) => m && typeof m === 'object');
    record.methods = messages.map((m) => String(m.method ?? 'response'));
    if (span) {
      span.name = mcpSpanName(messages);
      span.setAttribute('mcp.arguments', toolArguments(messages));
    }

    const outcome = await gate(req.headers.authorization, messages, record);
    if (!outcome.pass) {
      span?.setAttributes({ 'oauth.error': outcome.error, 'oauth.error_description': outcome.description });
      return sendJson(res, outcome.status, { error: outcome.error, error_description: outcome.description }, { 'www-authenticate': outcome.challenge });
    }
    await handleMcp(req, res, body, { ...services, ...outcome.ctx }, record);
  }

  const server = http.createServer(tracer.wrap(async (req, res) => {
    res.setHeader('access-control-allow-origin', '*');
    res.setHeader('access-control-expose-headers', 'www-authenticate, mcp-session-id, mcp-protocol-version, traceresponse');
    try {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method === 'OPTIONS') {
        res.writeHead(204, {
          'access-control-allow-methods': 'GET, POST, OPTIONS',
          'access-control-allow-headers': 'authorization, content-type, accept, mcp-protocol-version, mcp-session-id, last-event-id, traceparent, tracestate',
          'access-control-max-age': '600',
        });
        return res.end();
      }
      if (req.method === 'GET' && (path === `${PRM_PATH}${mcpPath}` || path === PRM_PATH)) return sendJson(res, 200, prm);
      if (path === mcpPath) {
        if (req.method === 'POST') return await handleMcpPost(req, res);
        // stateless server: no server-initiated stream, no sessions to delete
        return sendJson(res, 405, { jsonrpc: '2.0', id: null, error: { code: -32000, message: 'Method not allowed: use POST' } }, { allow: 'POST' });
      }
      if (req.method === 'GET' && path === '/') {
        return sendJson(res, 200, { name: 'Portfolio MCP server', mcp: config.mcpResource, protected_resource_metadata: resourceMetadataUrl(config) });
      }
      sendJson(res, 404, { error: 'not_found' });
    } catch (err) {
      log.error('request failed', { error: (err as Error).message, stack: (err as Error).stack });
      if (!res.headersSent) sendJson(res, 500, { error: 'server_error' });
      else res.destroy();
    }
  }));
  server.on('clientError', (_err, socket) => socket.destroy());
  await listen(server, config.mcp.port);
  log.info('ready', { mcp: config.mcpResource, challenge_in_tool_result: config.challengeInToolResult });

  return {
    url: config.mcpResource,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      tracer.close();
      db.close();
    },
  };
}
