// The claims our JWT access tokens carry beyond RFC 9068's (DESIGN.md "Token shapes"): the user's
// region, the agent's type and assurance level, and on tokens for a resource whose tokens may be
// exchanged, `act` and `may_act`. Added to every access token, whichever path mints it (oidc-provider's
// JWT format customizer, the token exchange fast path).
import { findAccountByEmail } from './accounts.js';
import type { ResourceServer } from './resources.js';

export interface TokenParties {
  /** the client the token is issued to (an oidc-provider Client) */
  client?: { clientId: string; client_type?: string; client_assurance_level?: number };
  /** the user, absent for client credentials */
  accountId?: string;
}

export function createAccessTokenClaims(resources: Map<string, ResourceServer>) {
  return function addClaims({ client, accountId }: TokenParties, payload: Record<string, unknown>): void {
    const account = accountId ? findAccountByEmail(accountId) : undefined;
    if (account) payload.region = account.region;
    // an exchanged token already carries the agent's type and level from its subject token
    if (client) {
      payload.client_type ??= client.client_type;
      payload.client_assurance_level ??= client.client_assurance_level;
    }
    const resource = resources.get(String(payload.aud));
    if (resource?.mayAct && account && client) {
      payload.act ??= { sub: client.clientId };
      payload.may_act = { sub: resource.mayAct };
    }
  };
}

export type AccessTokenClaims = ReturnType<typeof createAccessTokenClaims>;
