// RFC 8693 token exchange as an oidc-provider custom grant: a pipeline of named steps, each in its
// own file, run in order; any step throws a standard OAuth error and the pipeline stops there.
// The common case is answered by a fast path in front of oidc-provider (fast-path.ts) that runs the
// same steps; whatever it does not answer reaches the custom grant registered here.
import type { StackConfig } from '../../common/config.js';
import type { Logger } from '../../common/log.js';
import type { Grants } from '../grants.js';
import type { OwnTokenVerifier } from '../own-tokens.js';
import type { ResourceInfo } from '../resource-info.js';
import type { Es256Signer } from '../signing-key.js';
import { exchangeScopeMap, resourceServers } from '../resources.js';
import { checkActor } from './check-actor.js';
import { checkRequest } from './check-request.js';
import { exchangeFastPath } from './fast-path.js';
import { issueToken } from './issue-token.js';
import { resolveTarget } from './resolve-target.js';
import { GRANT_TYPE, PARAMETERS, type ExchangeState, type ExchangeStep } from './state.js';
import { verifySubject } from './verify-subject.js';

export interface TokenExchangeDeps {
  config: StackConfig;
  verify: OwnTokenVerifier;
  grants: Grants;
  resourceInfo: ResourceInfo;
  policyOf: (client: any) => { audiences: string[]; scopes: string[] } | undefined;
  signer: Es256Signer;
  log: Logger;
}

/** registers the grant; returns the fast path, a Koa middleware for the front of the provider's stack */
export function registerTokenExchange(provider: any, deps: TokenExchangeDeps) {
  const { config, verify, grants, resourceInfo, policyOf } = deps;
  const all = [...resourceServers(config).values()];
  const exchangeable = all.filter((r) => r.mayAct).map((r) => r.id);
  const steps: ExchangeStep[] = [
    checkRequest,
    verifySubject(verify, exchangeable),
    checkActor(verify, all.map((r) => r.id), config.tokenExchangeMaxChainDepth),
    resolveTarget(policyOf, exchangeScopeMap),
  ];
  async function check(state: ExchangeState) {
    for (const step of steps) {
      const pending = step(state);
      if (pending) await pending; // most steps are synchronous: no extra turn of the event loop for them
    }
  }

  provider.registerGrantType(GRANT_TYPE, async (ctx: any) => {
    const state: ExchangeState = { params: ctx.oidc.params, client: ctx.oidc.client };
    await check(state);
    await issueToken(ctx, state, resourceInfo, grants);
  }, PARAMETERS, ['resource', 'audience']);

  return exchangeFastPath(provider, check, deps);
}
