// The Lab Host: a local MCP host playing ChatGPT. It serves the chat page and its bundled script, its
// Client ID Metadata Document, the OAuth callback for the sign-in popup, a JSON API for the page, and
// its own spans at /_spans. All MCP and OAuth traffic happens here, server-side, per browser session.
import fs from 'node:fs';
import http from 'node:http';
import { listen } from '../common/http.js';
import path from 'node:path';
import type { StackConfig } from '../common/config.js';
import { createLogger } from '../common/log.js';
import { repoRoot } from '../common/paths.js';
import type { RunningService } from '../auth-server/server.js';
import { createApi, sendJson } from './api.js';
import { CALLBACK_PATH, CLIENT_METADATA_PATH, clientMetadataDocument, hostIdentity } from './client-metadata.js';
import { createLanes } from './lanes.js';
import { appShell, callbackPage } from './pages.js';
import { createSessions } from './sessions.js';
import { createTracer, isTraceId } from './tracing.js';
import { createWidgetCache } from './widget-cache.js';

const ASSETS: Record<string, string> = { 'host.js': 'text/javascript; charset=utf-8', 'host.css': 'text/css; charset=utf-8' };
export const assetsDir = path.join(repoRoot, 'dist', 'host', 'public');

export async function startHost(config: StackConfig): Promise<RunningService> {
  const log = createLogger('host', config.logLevel);
  const identity = hostIdentity(config);
  const tracer = createTracer('host');
  const lanes = createLanes(config);
  const sessions = createSessions(config.cookieKeys[0], config.hostApp.publicUrl.startsWith('https:'));
  const api = createApi({ config, identity, tracer, lanes, widgets: createWidgetCache() });
  const metadataJson = JSON.stringify(clientMetadataDocument(identity), null, 2);
  const hostOrigin = new URL(config.hostApp.publicUrl).origin;

  const send = (res: http.ServerResponse, status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': type, 'x-content-type-options': 'nosniff', ...headers });
    res.end(body);
  };

  function serveAsset(res: http.ServerResponse, name: string) {
    const type = ASSETS[name];
    const file = path.join(assetsDir, name);
    if (!type || !fs.existsSync(file)) return send(res, 404, 'text/plain', `${name} is not built: run node scripts/build-host.mjs`);
    send(res, 200, type, fs.readFileSync(file), { 'cache-control': 'no-cache' });
  }

  /** a state-changing API call must come from the host's own page */
  const sameOrigin = (req: http.IncomingMessage) => {
    const origin = req.headers.origin;
    return !origin || origin === hostOrigin || origin === new URL(config.hostApp.internalUrl).origin;
  };

  async function route(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://host.invalid');
    const { pathname } = url;
    const method = req.method ?? 'GET';

    if (method === 'GET' && pathname === CLIENT_METADATA_PATH) {
      return send(res, 200, 'application/json', metadataJson, { 'cache-control': 'public, max-age=300', 'access-control-allow-origin': '*' });
    }
    if (method === 'GET' && pathname === '/_spans') {
      const traceId = url.searchParams.get('trace_id');
      if (!isTraceId(traceId)) return sendJson(res, 400, { error: 'invalid_request', error_description: 'trace_id must be 32 hex digits' });
      return sendJson(res, 200, { spans: tracer.spans(traceId) });
    }
    if (method === 'GET' && pathname.startsWith('/assets/')) return serveAsset(res, pathname.slice('/assets/'.length));
    if (method === 'GET' && pathname === '/') {
      sessions.get(req, res, true);
      return send(res, 200, 'text/html; charset=utf-8', appShell('Lab Host · ChatGPT stand-in'), { 'cache-control': 'no-store' });
    }
    if (method === 'GET' && pathname === CALLBACK_PATH) {
      const session = sessions.get(req, res, false);
      const outcome = session?.mcp
        ? await session.mcp.finishSignIn(url.searchParams)
        : { ok: false, error: 'no_session', description: 'This window is not part of a host session (cookies blocked, or the host restarted).' };
      log.info('sign-in callback', { ok: outcome.ok, error: outcome.error });
      return send(res, 200, 'text/html; charset=utf-8', callbackPage(outcome), { 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
    }
    if (pathname.startsWith('/api/')) {
      if (!api.has(method, pathname)) return sendJson(res, 404, { status: 'error', error: 'not_found' });
      if (method !== 'GET' && !sameOrigin(req)) return sendJson(res, 403, { status: 'error', error: 'forbidden', message: 'cross-origin request' });
      const session = sessions.get(req, res, true)!;
      return api.handle(req, res, session, pathname, url.searchParams);
    }
    sendJson(res, 404, { error: 'not_found' });
  }

  const server = http.createServer((req, res) => {
    route(req, res).catch((err) => {
      log.error('request failed', { path: req.url, error: (err as Error).message });
      if (!res.headersSent) sendJson(res, 500, { status: 'error', error: 'server_error', message: 'the host hit an unexpected error' });
      else res.destroy();
    });
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  await listen(server, config.hostApp.port);
  log.info('ready', { url: config.hostApp.publicUrl, client_id: identity.metadataUrl, registration: config.hostRegistration });

  return {
    url: config.hostApp.publicUrl,
    async close() {
      await sessions.closeAll();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
