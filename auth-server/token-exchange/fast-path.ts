// Token exchange's common case, answered in front of oidc-provider: a client authenticated by HTTP
// Basic (client_secret_basic) trades a user's token for an API token, as the MCP server does on every
// tool call. It runs the same steps as the custom grant and mints the same token (claims, key, kid,
// lifetime), but skips oidc-provider's generic token endpoint, which cost several signatures' worth of
// CPU per token (see `npm run bench`).
// It can only say yes. A request of any other shape, a client it cannot authenticate, or a step that
// refuses goes on to the custom grant with its body intact, and the grant gives the standard answer
// (error code, audit entry, events) exactly as if the fast path did not exist.
import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import querystring from 'node:querystring';
import { PassThrough } from 'node:stream';
import { parseBasicAuthorization } from '../../common/basic-auth.js';
import { epochSeconds } from '../../common/db.js';
import { readBody } from '../../common/http.js';
import { createAccessTokenClaims } from '../access-token-claims.js';
import { resourceServers } from '../resources.js';
import { exchangeAnswer, exchangedToken } from './issue-token.js';
import type { TokenExchangeDeps } from './index.js';
import { GRANT_TYPE, PARAMETERS, type ExchangeState } from './state.js';

/** a token exchange form is two tokens and a few names: anything bigger takes the full path */
const MAX_BODY = 8 * 1024;
const FORM = /^application\/x-www-form-urlencoded(?:;\s*charset=utf-8)?$/i;
/** request headers that change what oidc-provider answers or requires (CORS, DPoP, client attestation) */
const FULL_PATH_HEADERS = ['origin', 'dpop', 'oauth-client-attestation', 'oauth-client-attestation-pop'];
const FIELDS = new Set(['grant_type', ...PARAMETERS]);
/** RFC 6749 §3.3 scope syntax, as oidc-provider checks it */
const SCOPE_SYNTAX = /^[\x21\x23-\x5B\x5D-\x7E]+(?: [\x21\x23-\x5B\x5D-\x7E]+)*$/;

export function exchangeFastPath(
  provider: any,
  check: (state: ExchangeState) => Promise<void>,
  { config, grants, resourceInfo, signer, log }: TokenExchangeDeps,
) {
  const addClaims = createAccessTokenClaims(resourceServers(config));

  /** the token endpoint's answer, or undefined where the custom grant must answer instead */
  async function answer(form: Record<string, string>, authorization: string) {
    const client = await basicClient(provider, authorization);
    if (!client) return undefined;
    const state: ExchangeState = { params: form, client };
    await check(state);
    const subject = state.subject!;
    const { expiresIn, scope, extra } = exchangedToken(state, resourceInfo(undefined, state.resource!, client).accessTokenTTL);
    const iat = epochSeconds();
    // the claims and order of oidc-provider's JWT access token format, then our own (access-token-claims.ts)
    const payload: Record<string, unknown> = {
      ...extra,
      jti: crypto.randomUUID(),
      sub: subject.sub,
      iat,
      exp: iat + expiresIn,
      scope,
      client_id: client.clientId,
      iss: provider.issuer,
      aud: state.resource,
    };
    addClaims({ client, accountId: subject.sub }, payload);
    const accessToken = await signer.sign('at+jwt', payload);
    // what the custom grant records through oidc-provider's access_token.issued event
    grants.touch(client.clientId, subject.sub);
    grants.touch(subject.client_id, subject.sub);
    return { client, body: exchangeAnswer(accessToken, expiresIn, scope) };
  }

  return async function tokenExchangeFastPath(ctx: any, next: () => Promise<void>) {
    if (!mayBeExchange(ctx)) return next();
    let body: Buffer;
    try {
      body = await readBody(ctx.req, MAX_BODY);
    } catch {
      ctx.status = 400; // the client went away mid-body
      ctx.body = { error: 'invalid_request', error_description: 'the request body could not be read' };
      return;
    }
    const form = exchangeForm(body);
    const answered = form && (await answer(form, ctx.get('authorization')).catch((err) => {
      // a refusal (an OAuth error) is the custom grant's to give; anything else is a bug worth a line
      if (!err?.error) log.warn('token exchange fast path failed, the custom grant answers instead', { error: String(err?.message ?? err) });
      return undefined;
    }));
    if (!answered) {
      putBodyBack(ctx, body);
      return next();
    }
    ctx.set('cache-control', 'no-store');
    ctx.body = answered.body;
    // for the flow inspector (tracing.ts): the fields of oidc-provider's context it reads
    ctx.state.oauth = { route: 'token', body: form, client: answered.client, fastPath: true };
  };
}

/** a POST to the token endpoint that could be a token exchange this path handles, judged by its headers */
function mayBeExchange(ctx: any): boolean {
  if (ctx.method !== 'POST' || ctx.path !== '/token') return false;
  const length = Number(ctx.get('content-length'));
  return length > 0 && length <= MAX_BODY && FORM.test(ctx.get('content-type')) && /^basic /i.test(ctx.get('authorization'))
    && FULL_PATH_HEADERS.every((h) => ctx.get(h) === '');
}

/** the form's fields when it is a token exchange made only of the grant's own fields, each given once */
function exchangeForm(body: Buffer): Record<string, string> | undefined {
  const form: Record<string, string> = {};
  for (const [key, value] of Object.entries(querystring.parse(body.toString('utf8')))) {
    if (!FIELDS.has(key) || typeof value !== 'string') return undefined;
    if (value) form[key] = value; // oidc-provider takes an empty value as absent
  }
  if (form.grant_type !== GRANT_TYPE || (form.scope !== undefined && !SCOPE_SYNTAX.test(form.scope))) return undefined;
  return form;
}

/** the client an HTTP Basic header authenticates, if it is registered for client_secret_basic and this grant */
async function basicClient(provider: any, authorization: string): Promise<any> {
  const credentials = parseBasicAuthorization(authorization);
  if (!credentials) return undefined;
  const client = await provider.Client.find(credentials.id);
  if (client?.clientAuthMethod !== 'client_secret_basic' || !client.grantTypeAllowed(GRANT_TYPE)) return undefined;
  if (client.clientSecretExpiresAt && client.clientSecretExpiresAt <= epochSeconds()) return undefined;
  return (await client.compareClientSecret(credentials.secret)) ? client : undefined;
}

/** the request as if unread: same headers, method, url and socket, and the body again, for oidc-provider */
function putBodyBack(ctx: any, body: Buffer): void {
  const req: IncomingMessage = ctx.req;
  const again = Object.assign(new PassThrough(), {
    headers: req.headers,
    rawHeaders: req.rawHeaders,
    method: req.method,
    url: req.url,
    httpVersion: req.httpVersion,
    httpVersionMajor: req.httpVersionMajor,
    httpVersionMinor: req.httpVersionMinor,
    socket: req.socket,
    connection: req.socket,
    complete: true,
  });
  again.end(body);
  ctx.req = ctx.request.req = ctx.response.req = again;
}
