// GET /revocations?since=<epoch s> — for the mcp-server client: the access tokens (by jti) whose grant
// the user revoked since then. JWT access tokens are checked locally by resource servers, so this is
// how "Remove" on /account reaches them within a second, without introspecting every request.
import type { Grants } from './grants.js';
import type { Router } from './pages.js';
import { requireServiceClient, type ServiceClientCheck } from './service-client.js';

export function registerRevocationFeed(router: Router, grants: Grants, isServiceClient: ServiceClientCheck) {
  router.get('/revocations', (ctx) => {
    if (!requireServiceClient(ctx, isServiceClient)) return;
    const since = Number(ctx.query.since ?? 0);
    if (!Number.isFinite(since) || since < 0) {
      ctx.status = 400;
      ctx.body = { error: 'invalid_request', error_description: 'since must be epoch seconds' };
      return;
    }
    ctx.set('cache-control', 'no-store');
    ctx.body = { now: Math.floor(Date.now() / 1000), revoked: grants.revokedTokensSince(since) };
  });
}
