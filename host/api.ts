// The JSON API the host page uses. Only same-origin JSON posts are accepted (a cross-site form cannot
// send application/json, and a cross-site fetch with it needs a preflight the host never answers).
// Every answer passes through redactTokens: tokens must never reach the browser.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StackConfig } from '../common/config.js';
import { BodyError, readBody } from '../common/http.js';
import { redactTokens } from './claims.js';
import { collectFlow } from './flow.js';
import type { Lanes } from './lanes.js';
import { McpSession } from './mcp-session.js';
import type { HostClientIdentity, RegistrationMode } from './oauth-provider.js';
import type { BrowserSession } from './sessions.js';
import { isTraceId, type Tracer } from './tracing.js';
import type { WidgetCache } from './widget-cache.js';

export interface ApiDeps {
  config: StackConfig;
  identity: HostClientIdentity;
  tracer: Tracer;
  lanes: Lanes;
  widgets: WidgetCache;
}

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(redactTokens(body)));
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  if (!(req.headers['content-type'] ?? '').startsWith('application/json')) throw new ApiError(415, 'unsupported_media_type', 'send application/json');
  let text: string;
  try {
    text = (await readBody(req, 64 * 1024)).toString('utf8');
  } catch (err) {
    throw err instanceof BodyError ? new ApiError(err.status, 'bad_request', err.message) : err;
  }
  try {
    const body = text ? JSON.parse(text) : {};
    if (body && typeof body === 'object' && !Array.isArray(body)) return body;
  } catch {
    // fall through
  }
  throw new ApiError(400, 'bad_request', 'body must be a JSON object');
}

function parseServerUrl(value: unknown, fallback: string): string {
  const raw = typeof value === 'string' && value.trim() ? value.trim() : fallback;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ApiError(400, 'invalid_url', `"${raw}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ApiError(400, 'invalid_url', 'the MCP server URL must be http(s)');
  if (url.username || url.password) throw new ApiError(400, 'invalid_url', 'no credentials in the URL, please');
  url.hash = '';
  return url.href.replace(/\/$/, '');
}

export function createApi(deps: ApiDeps) {
  const { config, identity, tracer, lanes, widgets } = deps;
  const servers = [{ label: 'Portfolio MCP server (this lab)', url: config.mcpResource }];

  function openSession(session: BrowserSession, url: string, registration: RegistrationMode) {
    const mcp = new McpSession({ url, identity, registration, tracer, lanes, widgets });
    session.mcp = mcp;
    session.mcpUrl = url;
    return mcp;
  }

  /** the session's MCP connection; a first call before any connect uses the default server */
  function mcpOf(session: BrowserSession): McpSession {
    return session.mcp ?? openSession(session, session.mcpUrl ?? config.mcpResource, config.hostRegistration);
  }

  function describe(session: BrowserSession) {
    return {
      session: session.mcp?.describe() ?? null,
      defaults: { mcpUrl: session.mcpUrl ?? config.mcpResource, registration: config.hostRegistration },
      servers,
      host: { name: 'Lab Host', clientMetadataUrl: identity.metadataUrl, redirectUri: identity.redirectUri },
    };
  }

  const routes: Record<string, (req: IncomingMessage, session: BrowserSession, query: URLSearchParams) => Promise<unknown>> = {
    'GET /api/session': async (_req, session) => describe(session),

    'POST /api/connect': async (req, session) => {
      const body = await readJson(req);
      const url = parseServerUrl(body.mcpUrl, session.mcpUrl ?? config.mcpResource);
      const registration: RegistrationMode = body.registration === 'dcr' ? 'dcr' : body.registration === 'auto' ? 'auto' : config.hostRegistration;
      // keep the sign-in when reconnecting to the same server the same way; otherwise start clean
      let mcp = session.mcp;
      if (!mcp || mcp.url !== url || (body.registration !== undefined && mcp.provider.mode !== registration)) {
        await mcp?.close();
        mcp = openSession(session, url, registration);
      }
      widgets.clear(url);
      const listed = await mcp.toolList();
      return { ...listed, ...describe(session) };
    },

    'POST /api/disconnect': async (_req, session) => {
      await session.mcp?.close();
      session.mcp = undefined;
      return describe(session);
    },

    'GET /api/tools': async (_req, session) => mcpOf(session).toolList(),

    'POST /api/tools/call': async (req, session) => {
      const body = await readJson(req);
      if (typeof body.name !== 'string' || !body.name) throw new ApiError(400, 'bad_request', 'name is required');
      const args = body.arguments ?? {};
      if (typeof args !== 'object' || Array.isArray(args) || args === null) throw new ApiError(400, 'bad_request', 'arguments must be an object');
      return mcpOf(session).callTool(body.name, args as Record<string, unknown>, {
        traceId: typeof body.traceId === 'string' ? body.traceId : undefined,
        withWidget: body.widget !== false,
      });
    },

    'GET /api/flow': async (_req, session, query) => {
      const traceId = query.get('trace_id');
      if (!isTraceId(traceId)) throw new ApiError(400, 'bad_request', 'trace_id must be 32 hex digits');
      // only traces this browser session started: one visitor cannot read another's claims
      if (!session.mcp?.ownsTrace(traceId)) throw new ApiError(404, 'not_found', 'no such trace in this session');
      return collectFlow(tracer, lanes, traceId, session.mcp.url);
    },
  };

  return {
    has: (method: string, path: string) => `${method} ${path}` in routes,
    async handle(req: IncomingMessage, res: ServerResponse, session: BrowserSession, path: string, query: URLSearchParams) {
      try {
        sendJson(res, 200, await routes[`${req.method} ${path}`](req, session, query));
      } catch (err) {
        if (err instanceof ApiError) return sendJson(res, err.status, { status: 'error', error: err.code, message: err.message });
        throw err;
      }
    },
  };
}
