// The portfolio API (DESIGN.md): plain node:http, one SQLite file, JSON in and out. Per request it
// checks, in order: route and method (404 / 405), then for protected routes the access token
// (401 invalid_token, see authz.ts), the agent rule where it applies (403 insufficient_authorization),
// the route's scopes (403 insufficient_scope) — all before the body is read — and finally the handler's
// own input checks (400 / 413). Any failure becomes {"error", "error_description"}; an unexpected
// one is a 500 that is logged, never a crash. One log line per request, never a token.
import http from 'node:http';
import { listen } from '../common/http.js';
import { bearerChallenge, requireScopes, TokenError } from '../common/access-token.js';
import type { StackConfig } from '../common/config.js';
import { createLogger, type Logger } from '../common/log.js';
import { createSpanRecorder, currentSpan } from '../common/trace.js';
import { callerAttributes, routeName } from './tracing.js';
import type { RunningService } from '../auth-server/server.js';
import { createAccountActions } from './account.js';
import { createAuthenticator, requireDirectUser, type Authenticate, type Caller } from './authz.js';
import { ApiError } from './errors.js';
import { readJsonObject, sendJson } from './http-io.js';
import { createIntents } from './intents.js';
import { buildRoutes, type RouteSpec } from './routes.js';
import type { Router } from './router.js';
import { openPortfolioStore } from './store.js';
import { createTradeExecutor } from './trades.js';

export async function startPortfolioApi(config: StackConfig): Promise<RunningService> {
  const log = createLogger('portfolio-api', config.logLevel);
  const store = openPortfolioStore(config.dataDir);
  const executeTrade = createTradeExecutor(store);
  const routes = buildRoutes({ store, executeTrade, intents: createIntents(store, executeTrade), account: createAccountActions(store) });
  const handle = createRequestHandler(routes, createAuthenticator(config), log);
  const tracer = createSpanRecorder('portfolio-api', store.db);

  // a client that trickles its request gets 20 s, then the connection is closed (408)
  const server = http.createServer({ requestTimeout: 20_000, headersTimeout: 10_000 }, tracer.wrap((req, res) => void handle(req, res)));
  // malformed HTTP (bad request line, oversized headers): answer 400 and drop the connection
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });
  await listen(server, config.api.port);
  log.info('ready', { url: config.api.publicUrl, audience: config.apiResource });

  return {
    url: config.api.publicUrl,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      tracer.close();
      store.close();
    },
  };
}

function createRequestHandler(routes: Router<RouteSpec>, authenticate: Authenticate, log: Logger) {
  return async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = performance.now();
    const [pathname, search = ''] = (req.url ?? '/').split('?', 2);
    const method = req.method ?? 'GET';
    let caller: Caller | undefined;
    const span = currentSpan();
    res.on('close', () => {
      log.info('request', {
        method,
        path: pathname,
        status: res.writableFinished ? res.statusCode : 499,
        sub: caller?.sub,
        client_id: caller?.client_id,
        ms: Math.round((performance.now() - started) * 10) / 10,
      });
    });
    // a client that goes away mid-request surfaces here as well as in the body reader
    req.on('error', () => {});

    try {
      const { handler: route, params } = routes.match(method, pathname);
      if (span) span.name = `${method} ${routeName(pathname, params)}`;
      if (route.scopes !== null) {
        caller = await authenticate(req);
        span?.setAttributes(callerAttributes(caller));
        if (route.agentsMayNot) requireDirectUser(caller, route.agentsMayNot);
        requireScopes(caller, route.scopes);
      }
      const reply = await route.handle({
        req,
        query: new URLSearchParams(search),
        params,
        caller: caller as Caller,
        body: () => readJsonObject(req),
      });
      sendJson(res, reply.status ?? 200, reply.body);
    } catch (err) {
      if (err instanceof TokenError || err instanceof ApiError) {
        span?.setAttributes({ 'oauth.error': err.code, 'oauth.error_description': err.description });
      }
      if (err instanceof TokenError) {
        sendJson(res, err.status, { error: err.code ?? 'unauthorized', error_description: err.description }, {
          'www-authenticate': bearerChallenge(err),
        });
      } else if (err instanceof ApiError) {
        sendJson(res, err.status, { error: err.code, error_description: err.description }, err.headers);
      } else {
        log.error('request failed', { method, path: pathname, error: (err as Error)?.message });
        sendJson(res, 500, { error: 'server_error', error_description: 'the request could not be completed' });
      }
    }
  };
}
