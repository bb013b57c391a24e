// Who is calling and what they may do. Checks, in order, for every protected route:
//  1. a Bearer token is present (else 401, challenge without error code)
//  2. it is an ES256 at+jwt from our issuer for exactly this API's audience, unexpired
//     (else 401 invalid_token) — a user's MCP-audience token is refused here: no token passthrough
//  3. the route's scopes are all held (else 403 insufficient_scope naming them)
// Plus two rules some routes add:
//  - agent rule (cash withdrawals, settings): only a first-party, high-assurance client acting directly
//    for the user may move money out or change the account. Refused (403 insufficient_authorization)
//    when the token has a non-empty `act` chain (someone acts on the user's behalf), or client_type is
//    'mcp' (an AI agent host), or client_assurance_level is missing or below 3. Checked before scopes,
//    so an agent hears "agents may not" whatever scopes it holds.
//  - transaction scope (trade intent confirmation): the token's scope must contain exactly
//    `transaction_<id>` for the intent being confirmed.
// The region claim decides which instruments exist for the caller; a token without one sees none.
import type { IncomingMessage } from 'node:http';
import {
  bearerToken, createAccessTokenVerifier, scopesOf, TokenError, type AccessClaims,
} from '../common/access-token.js';
import type { StackConfig } from '../common/config.js';
import { ApiError } from './errors.js';

export type Caller = AccessClaims;

export function createAuthenticator(config: StackConfig) {
  const verify = createAccessTokenVerifier({
    issuer: config.auth.publicUrl,
    jwksUrl: `${config.auth.internalUrl}/jwks`,
    audience: config.apiResource,
  });
  return async function authenticate(req: IncomingMessage): Promise<Caller> {
    const header = req.headers.authorization;
    return verify(bearerToken(Array.isArray(header) ? header[0] : header));
  };
}

export type Authenticate = ReturnType<typeof createAuthenticator>;

export const MIN_ASSURANCE_FOR_ACCOUNT_CHANGES = 3;

/** the agent rule above; `what` completes "agents may not …" */
export function requireDirectUser(caller: Caller, what: string): void {
  const delegated = caller.act !== undefined && caller.act !== null;
  const agent = caller.client_type === 'mcp';
  const level = typeof caller.client_assurance_level === 'number' ? caller.client_assurance_level : 0;
  if (delegated || agent || level < MIN_ASSURANCE_FOR_ACCOUNT_CHANGES) {
    throw new ApiError(403, 'insufficient_authorization', `agents may not ${what}`);
  }
}

/** 403 insufficient_scope unless the token names exactly this intent's transaction scope */
export function requireTransactionScope(caller: Caller, intentId: string): void {
  const needed = `transaction_${intentId}`;
  if (!scopesOf(caller).has(needed)) {
    throw new TokenError(403, 'insufficient_scope', `confirming this trade needs scope ${needed}`, needed);
  }
}

/** the caller's region (the token's `region` claim); '' when absent, which matches no instrument */
export function regionOf(caller: Caller): string {
  return typeof caller.region === 'string' ? caller.region : '';
}

/** the act chain as stored with a trade: JSON text, or null when nobody acted for the user */
export function actChainJson(caller: Caller): string | null {
  return caller.act ? JSON.stringify(caller.act) : null;
}
