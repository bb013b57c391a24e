// The policy enforcement point in front of the MCP transport. For every POST /mcp it checks, in order:
//  1. the Authorization header, if any, is a Bearer token            -> else 400 invalid_request
//  2. a token, if sent, is valid for exactly this resource and not revoked -> else 401 invalid_token (always)
//  3. protected tools called without a token                          -> 401 with resource_metadata + scope
//  4. the token carries every scope the called tools need             -> else 403 insufficient_scope (all needed scopes)
//  5. the token exchange for the API succeeds                         -> invalid_grant (revoked) is 401 invalid_token
// In "challenge in tool result" mode (for ChatGPT), 3 and 4 let the call through and the tool answers
// with an error result carrying _meta["mcp/www_authenticate"] instead.
import {
  bearerChallenge, bearerToken, requireScopes, TokenError, type AccessClaims,
} from '../common/access-token.js';
import { decodeTokenClaims } from '../common/token-claims.js';
import type { AuditRecord } from './audit.js';
import { ExchangeRefused, type TokenExchanger } from './exchange.js';
import type { ToolContext, ToolServices } from './tools/registry.js';
import { toolsByName } from './tools/index.js';

export interface GateDeps {
  verify: (token: string | undefined) => Promise<AccessClaims>;
  exchanger: TokenExchanger;
  resourceMetadata: string;
  challengeInToolResult: boolean;
  /** whether the user revoked this token (by jti) on the auth server */
  isRevoked: (jti: string | undefined) => Promise<boolean>;
}

export type GateOutcome =
  | { pass: true; ctx: Omit<ToolContext, keyof ToolServices> }
  | { pass: false; status: number; challenge: string; error: string; description: string };

interface RpcMessage { method?: string; params?: { name?: string } }

const union = (lists: string[][]) => [...new Set(lists.flat())];

export function createAuthGate({ verify, exchanger, resourceMetadata, challengeInToolResult, isRevoked }: GateDeps) {
  const refuse = (err: TokenError, scope?: string): GateOutcome => ({
    pass: false,
    status: err.status,
    challenge: bearerChallenge(err, { resourceMetadata, scope }),
    error: err.code ?? 'unauthorized',
    description: err.description,
  });

  return async function gate(authorization: string | undefined, messages: RpcMessage[], record: AuditRecord): Promise<GateOutcome> {
    const called = messages
      .filter((m) => m.method === 'tools/call')
      .map((m) => toolsByName.get(String(m.params?.name)))
      .filter((t) => t !== undefined);
    record.tool = called.map((t) => t.name).join(',') || undefined;
    const needed = union(called.map((t) => t.scopes));
    const apiScopes = union(called.map((t) => (t.apiScopes ? t.apiScopes.split(' ') : []))).join(' ');

    let token: string | undefined;
    let claims: AccessClaims | undefined;
    try {
      token = bearerToken(authorization);
      if (token) claims = await verify(token);
      if (claims && (await isRevoked(claims.jti))) throw new TokenError(401, 'invalid_token', 'token has been revoked');
    } catch (err) {
      if (!(err instanceof TokenError)) throw err;
      record.decision = err.status === 400 ? 'bad_request' : 'invalid_token';
      return refuse(err);
    }
    if (claims) Object.assign(record, { sub: claims.sub, clientId: claims.client_id, act: claims.act });

    if (!needed.length) {
      record.decision = 'allow';
      return { pass: true, ctx: { claims } };
    }

    if (!claims) {
      record.decision = 'challenge';
      const err = new TokenError(401, undefined, 'sign-in required', needed.join(' '));
      if (challengeInToolResult) return { pass: true, ctx: { challenge: bearerChallenge(err, { resourceMetadata }) } };
      return refuse(err);
    }
    try {
      requireScopes(claims, needed);
    } catch (err) {
      if (!(err instanceof TokenError)) throw err;
      record.decision = 'challenge';
      if (challengeInToolResult) return { pass: true, ctx: { claims, challenge: bearerChallenge(err, { resourceMetadata }) } };
      return refuse(err);
    }

    record.decision = 'allow';
    if (!apiScopes) return { pass: true, ctx: { claims } };
    try {
      const apiToken = await exchanger.exchange(token!, apiScopes);
      record.apiAct = decodeTokenClaims(apiToken)?.act;
      return { pass: true, ctx: { claims, apiToken, hostToken: token } };
    } catch (err) {
      if (err instanceof ExchangeRefused && err.error === 'invalid_grant') {
        record.decision = 'invalid_token';
        return refuse(new TokenError(401, 'invalid_token', `token no longer accepted: ${err.description}`));
      }
      // the auth server is down or refused for another reason: the tool explains, the host keeps its token
      return { pass: true, ctx: { claims, hostToken: token, exchangeError: (err as Error).message } };
    }
  };
}
