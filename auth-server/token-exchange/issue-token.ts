// Step 5 — mint the new access token: same user (sub), the authenticated client as client_id,
// the nested delegation chain act = { sub: actor, act: <subject token's act> }, the agent's
// client_type/assurance carried over, the subject token's grant (revoking it revokes this token
// too), and a lifetime that never reaches past the subject token's expiry.
import type { Grants } from '../grants.js';
import type { ResourceInfo } from '../resource-info.js';
import { invalidGrant } from './errors.js';
import { ACCESS_TOKEN_TYPE, EXCHANGE_GTY, type ExchangeState } from './state.js';

export async function issueToken(ctx: any, state: ExchangeState, resourceInfo: ResourceInfo, grants: Grants) {
  const { provider, client } = ctx.oidc;
  const subject = state.subject!;
  const resourceServer = resourceInfo(ctx, state.resource!, client);
  // set here rather than through ttl.AccessToken, which may not return 0 for a subject in its last second
  const remaining = subject.exp - Math.floor(Date.now() / 1000);
  if (remaining <= 0) throw invalidGrant('subject_token: token has expired');
  const token = new provider.AccessToken({
    accountId: subject.sub,
    client,
    grantId: state.subjectGrantId,
    gty: EXCHANGE_GTY,
    scope: state.scopes!.join(' '),
    expiresIn: Math.min(resourceServer.accessTokenTTL ?? 300, remaining),
    extra: {
      act: subject.act ? { sub: state.actor, act: subject.act } : { sub: state.actor },
      client_type: subject.client_type,
      client_assurance_level: subject.client_assurance_level,
    },
  });
  token.resourceServer = new provider.ResourceServer(state.resource, resourceServer);
  ctx.oidc.entity('AccessToken', token);
  const value = await token.save();
  grants.touch(subject.client_id, subject.sub);
  ctx.body = {
    access_token: value,
    issued_token_type: ACCESS_TOKEN_TYPE,
    token_type: 'Bearer',
    expires_in: token.expiration,
    scope: token.scope,
  };
}
