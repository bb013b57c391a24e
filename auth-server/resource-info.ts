// features.resourceIndicators.getResourceServerInfo: what a token for a resource looks like, per client.
// A resource outside the client's policy audiences is invalid_target. transaction_<id> prefix scopes
// are allowed on the API only, and only on the request that names them (CIBA approval of one trade).
import { errors } from 'oidc-provider';
import type { StackConfig } from '../common/config.js';
import type { RegistrationPolicies } from './registration/policies.js';
import { resourceServers, TRANSACTION_SCOPE } from './resources.js';

export const TRANSACTION_TOKEN_TTL = 60;

export function createResourceInfo(config: StackConfig, policies: RegistrationPolicies) {
  const resources = resourceServers(config);
  return function getResourceServerInfo(ctx: any, indicator: string, client: any) {
    const resource = resources.get(indicator);
    const policy = policies.byName(client?.registration_policy)?.set;
    if (!resource || !policy?.audiences.includes(indicator)) {
      throw new errors.InvalidTarget(`resource ${indicator} is not available to this client`);
    }
    // transaction scopes come only through CIBA: named by the backchannel request itself, or by the
    // approved request being redeemed at the token endpoint (never by client_credentials or exchange)
    const cibaRequest = ctx?.oidc?.entities?.BackchannelAuthenticationRequest;
    const named: string = cibaRequest?.scope ?? (ctx?.oidc?.route === 'backchannel_authentication' ? ctx.oidc.params.scope ?? '' : '');
    const transaction = indicator === config.apiResource ? named.split(' ').filter((s) => TRANSACTION_SCOPE.test(s)) : [];
    return {
      scope: [...resource.scopes.filter((s) => policy.scopes.includes(s)), ...transaction].join(' '),
      audience: indicator,
      // a transaction token lives just long enough to confirm its one trade
      accessTokenTTL: transaction.length ? Math.min(TRANSACTION_TOKEN_TTL, policy.access_token_ttl) : policy.access_token_ttl,
      accessTokenFormat: 'jwt',
      jwt: { sign: { alg: 'ES256' } },
    };
  };
}

export type ResourceInfo = ReturnType<typeof createResourceInfo>;
