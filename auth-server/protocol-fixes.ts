// Small adjustments around oidc-provider's routes, each for a standard it leaves to us:
//  - RFC 8414 metadata at /.well-known/oauth-authorization-server (same document as OIDC discovery)
//  - an authorization request without scope gets the resource's default scope instead of access_denied
//  - a grant type the client is not registered for is `unauthorized_client` (RFC 6749 §5.2)
//  - CIBA responses name the poll interval (1 s here, the spec's default of 5 s is slow for a demo)
import type { ResourceServer } from './resources.js';

export const CIBA_POLL_INTERVAL = 1;

export function protocolFixes(resources: Map<string, ResourceServer>, defaultResource: string) {
  return async (ctx: any, next: () => Promise<void>) => {
    if (ctx.path === '/.well-known/oauth-authorization-server') {
      ctx.path = '/.well-known/openid-configuration';
    } else if (ctx.path === '/auth' && ctx.method === 'GET' && !ctx.query.scope) {
      const resource = resources.get(String(ctx.query.resource ?? defaultResource));
      if (resource) ctx.query = { ...ctx.query, scope: resource.defaultScope };
    }
    await next();
    if (ctx.path === '/backchannel' && ctx.body?.auth_req_id) ctx.body = { ...ctx.body, interval: CIBA_POLL_INTERVAL };
    if (ctx.path === '/token' && ctx.body?.error === 'invalid_request'
      && ctx.body.error_description === 'requested grant type is not allowed for this client') {
      ctx.body = { ...ctx.body, error: 'unauthorized_client' };
    }
  };
}
