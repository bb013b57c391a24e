// The authorization server's spans for the flow inspector. The server span itself is opened around the
// whole Koa app (common/trace.ts); this middleware, first in the provider's stack, names it for the hop
// and adds what a learner wants to see once the request is done:
//  - the hop: `token (<grant>)` with the grant type shortened (`token (token-exchange)`, `token (ciba)`,
//    `token (authorization_code)`), `backchannel`, `pdp evaluation` (the PDP annotates its own span),
//    oidc-provider's route name for its other endpoints, else `METHOD /path` with ids collapsed
//  - the authenticated client, requested scope and resource, and whether the token exchange fast path
//    answered (token-exchange/fast-path.ts)
//  - the DECODED claims of the tokens involved: subject_token / actor_token (token exchange),
//    login_hint_token (CIBA), and the issued access token and ID token — payloads only
//  - a refusal's OAuth error code, description and oidc-provider's detail (from its `*.error` events)
// Never a raw token, code, auth_req_id, secret or client assertion: only named, decoded fields are taken.
import { decodeTokenClaims } from '../common/token-claims.js';
import { currentSpan } from '../common/trace.js';

const GRANT_NAMES: Record<string, string> = {
  'urn:ietf:params:oauth:grant-type:token-exchange': 'token-exchange',
  'urn:openid:params:grant-type:ciba': 'ciba',
  'urn:ietf:params:oauth:grant-type:device_code': 'device_code',
};

const ROUTE_NAMES: Record<string, string> = {
  backchannel_authentication: 'backchannel',
  resume: 'authorization resume',
};

/** oidc-provider events that carry a refusal: (ctx, err) */
const ERROR_EVENTS = [
  'authorization.error', 'backchannel_authentication.error', 'backchannel.error', 'grant.error', 'registration_create.error',
  'registration_read.error', 'registration_update.error', 'registration_delete.error', 'introspection.error', 'revocation.error',
  'userinfo.error', 'end_session.error', 'jwks.error', 'discovery.error', 'pushed_authorization_request.error', 'server_error',
];

const shortGrant = (grantType: unknown) => (typeof grantType === 'string' ? GRANT_NAMES[grantType] ?? grantType : 'unknown grant');
// interaction uids, client ids, approval ids: anything long and id-like becomes :id
const collapseIds = (path: string) => path.replace(/\/[A-Za-z0-9_-]{16,}(?=\/|$)/g, '/:id');

/** what a hop is about: oidc-provider's context, or the token exchange fast path's record of the same fields */
interface OAuthContext {
  route?: string;
  body?: unknown;
  client?: { clientId: string };
  fastPath?: boolean;
}

function hopName(ctx: any, oauth: OAuthContext | undefined, body: Record<string, any> | undefined): string {
  const route = oauth?.route;
  if (route === 'token') return `token (${shortGrant(body?.grant_type)})`;
  if (route) return ROUTE_NAMES[route] ?? route;
  if (ctx.path === '/access/v1/evaluation') return 'pdp evaluation';
  return `${ctx.method} ${collapseIds(ctx.path)}`.slice(0, 200);
}

function plainObject(value: unknown): Record<string, any> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) && !Buffer.isBuffer(value) && typeof (value as any).pipe !== 'function'
    ? (value as Record<string, any>)
    : undefined;
}

function parseJson(value: unknown): unknown {
  if (typeof value !== 'string') return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return '[not JSON]';
  }
}

/** Koa middleware, first in the provider's stack */
export function traceHops() {
  return async (ctx: any, next: () => Promise<void>) => {
    const span = currentSpan();
    if (!span) return next();
    try {
      await next();
    } finally {
      const oauth: OAuthContext | undefined = ctx.oidc ?? ctx.state.oauth;
      const request = plainObject(oauth?.body);
      span.name = hopName(ctx, oauth, request);
      span.setAttributes({ 'oauth.client_id': oauth?.client?.clientId, 'oauth.fast_path': oauth?.fastPath });
      if (request) {
        span.setAttributes({
          'oauth.grant_type': oauth?.route === 'token' ? request.grant_type : undefined,
          'oauth.scope': request.scope,
          'oauth.resource': request.resource,
          'oauth.audience': request.audience,
          'subject_token.claims': decodeTokenClaims(request.subject_token),
          'subject_token.type': request.subject_token_type,
          'actor_token.claims': decodeTokenClaims(request.actor_token),
          'login_hint_token.claims': decodeTokenClaims(request.login_hint_token),
          'ciba.binding_message': request.binding_message,
          'oauth.authorization_details': parseJson(request.authorization_details),
        });
      }
      const response = plainObject(ctx.body);
      if (response?.access_token !== undefined) {
        span.setAttributes({
          'issued_token.claims': decodeTokenClaims(response.access_token) ?? '[opaque token]',
          'issued_token.type': response.issued_token_type,
          'issued_token.scope': response.scope,
          'issued_token.expires_in': response.expires_in,
          'id_token.claims': decodeTokenClaims(response.id_token),
        });
      }
      if (typeof response?.error === 'string') {
        span.setAttributes({ 'oauth.error': response.error, 'oauth.error_description': response.error_description });
      }
    }
  };
}

/** a refusal's code, description and detail on the span of the request that was refused */
export function traceProviderErrors(provider: any): void {
  for (const event of ERROR_EVENTS) {
    provider.on(event, (_ctx: unknown, err: any) => {
      currentSpan()?.setAttributes({
        'oauth.error': err?.error ?? 'server_error',
        'oauth.error_description': err?.error_description,
        'oauth.error_detail': err?.error_detail,
      });
    });
  }
}
