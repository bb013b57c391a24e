// RFC 8693 token exchange as an oidc-provider custom grant: a pipeline of named steps, each in its
// own file, run in order; any step throws a standard OAuth error and the pipeline stops there.
import type { StackConfig } from '../../common/config.js';
import type { Grants } from '../grants.js';
import type { OwnTokenVerifier } from '../own-tokens.js';
import type { ResourceInfo } from '../resource-info.js';
import { exchangeScopeMap, resourceServers } from '../resources.js';
import { checkActor } from './check-actor.js';
import { checkRequest } from './check-request.js';
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
}

export function registerTokenExchange(provider: any, { config, verify, grants, resourceInfo, policyOf }: TokenExchangeDeps) {
  const all = [...resourceServers(config).values()];
  const exchangeable = all.filter((r) => r.mayAct).map((r) => r.id);
  const steps: ExchangeStep[] = [
    checkRequest,
    verifySubject(verify, exchangeable),
    checkActor(verify, all.map((r) => r.id), config.tokenExchangeMaxChainDepth),
    resolveTarget(policyOf, exchangeScopeMap),
  ];

  async function tokenExchange(ctx: any) {
    const state: ExchangeState = { params: ctx.oidc.params, client: ctx.oidc.client };
    for (const step of steps) {
      const pending = step(state);
      if (pending) await pending; // most steps are synchronous: no extra turn of the event loop for them
    }
    await issueToken(ctx, state, resourceInfo, grants);
  }

  provider.registerGrantType(GRANT_TYPE, tokenExchange, PARAMETERS, ['resource', 'audience']);
}
