// Step 5 — mint the new access token: same user (sub), the authenticated client as client_id,
// the nested delegation chain act = { sub: actor, act: <subject token's act> }, the agent's
// client_type/assurance carried over, and an expiry no later than the subject token's.
import type { Grants } from '../grants.js';
import type { ResourceInfo } from '../resource-info.js';
import { ACCESS_TOKEN_TYPE, type ExchangeState } from './state.js';

export async function issueToken(ctx: any, state: ExchangeState, resourceInfo: ResourceInfo, grants: Grants) {
  const { provider, client } = ctx.oidc;
  const subject = state.subject!;
  const token = new provider.AccessToken({
    accountId: subject.sub,
    client,
    grantId: grants.tokenState(subject.jti).grantId,
    gty: 'token_exchange',
    scope: state.scopes!.join(' '),
    extra: {
      act: subject.act ? { sub: state.actor, act: subject.act } : { sub: state.actor },
      client_type: subject.client_type,
      client_assurance_level: subject.client_assurance_level,
    },
  });
  token.resourceServer = new provider.ResourceServer(state.resource, resourceInfo(ctx, state.resource!, client));
  ctx.state.maxTokenExp = subject.exp;
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
