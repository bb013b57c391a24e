// Step 5 — mint the new access token: same user (sub), the authenticated client as client_id,
// the nested delegation chain act = { sub: actor, act: <subject token's act> }, the agent's
// client_type/assurance carried over, the subject token's grant (revoking it revokes this token
// too), and a lifetime that never reaches past the subject token's expiry.
import type { Grants } from '../grants.js';
import type { ResourceInfo } from '../resource-info.js';
import { invalidGrant } from './errors.js';
import { ACCESS_TOKEN_TYPE, EXCHANGE_GTY, type ExchangeState } from './state.js';

/** what the new token says and how long it lives: shared by the custom grant and the fast path */
export function exchangedToken(state: ExchangeState, accessTokenTTL = 300) {
  const subject = state.subject!;
  const remaining = subject.exp - Math.floor(Date.now() / 1000);
  if (remaining <= 0) throw invalidGrant('subject_token: token has expired');
  return {
    expiresIn: Math.min(accessTokenTTL, remaining),
    scope: state.scopes!.join(' '),
    extra: {
      act: subject.act ? { sub: state.actor!, act: subject.act } : { sub: state.actor! },
      client_type: subject.client_type,
      client_assurance_level: subject.client_assurance_level,
    },
  };
}

/** the token endpoint's answer for an issued token */
export const exchangeAnswer = (accessToken: string, expiresIn: number, scope: string) => ({
  access_token: accessToken,
  issued_token_type: ACCESS_TOKEN_TYPE,
  token_type: 'Bearer',
  expires_in: expiresIn,
  scope,
});

export async function issueToken(ctx: any, state: ExchangeState, resourceInfo: ResourceInfo, grants: Grants) {
  const { provider, client } = ctx.oidc;
  const resourceServer = resourceInfo(ctx, state.resource!, client);
  // set here rather than through ttl.AccessToken, which may not return 0 for a subject in its last second
  const { expiresIn, scope, extra } = exchangedToken(state, resourceServer.accessTokenTTL);
  const token = new provider.AccessToken({
    accountId: state.subject!.sub, client, grantId: state.subjectGrantId, gty: EXCHANGE_GTY, scope, expiresIn, extra,
  });
  token.resourceServer = new provider.ResourceServer(state.resource, resourceServer);
  ctx.oidc.entity('AccessToken', token);
  const value = await token.save();
  grants.touch(state.subject!.client_id, state.subject!.sub);
  ctx.body = exchangeAnswer(value, token.expiration, token.scope);
}
