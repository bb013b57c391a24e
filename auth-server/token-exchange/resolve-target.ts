// Step 4 — where the new token may go and what it may do:
//  - resource (or audience) must be one resource the client's registration policy allows,
//    defaulting to the first one; otherwise invalid_target
//  - scopes: the subject token's scopes mapped to the target's scopes (exchangeScopeMap), further
//    limited by the client's policy; a requested scope outside that set is invalid_scope
import { errors } from 'oidc-provider';
import type { ExchangeStep } from './state.js';

const one = (value: unknown): string | undefined => (Array.isArray(value) ? (value.length === 1 ? value[0] : undefined) : value as string);

export function resolveTarget(
  policyOf: (client: any) => { audiences: string[]; scopes: string[] } | undefined,
  scopeMap: Record<string, string[]>,
): ExchangeStep {
  return (state) => {
    const policy = policyOf(state.client);
    if (!policy) throw new errors.UnauthorizedClient('client has no registration policy');
    const { resource, audience } = state.params;
    if ((Array.isArray(resource) && resource.length !== 1) || (Array.isArray(audience) && audience.length !== 1)) {
      throw new errors.InvalidTarget('exactly one resource or audience may be requested');
    }
    const target = one(resource) ?? one(audience) ?? policy.audiences[0];
    if (!target || !policy.audiences.includes(target)) {
      throw new errors.InvalidTarget(`this client may not obtain tokens for ${target}`);
    }
    const held = String(state.subject!.scope ?? '').split(' ').filter(Boolean);
    const available = new Set(held.flatMap((s) => scopeMap[s] ?? []).filter((s) => policy.scopes.includes(s)));
    const requested = typeof state.params.scope === 'string' ? state.params.scope.split(' ').filter(Boolean) : [...available];
    const beyond = requested.filter((s) => !available.has(s));
    if (beyond.length) throw new errors.InvalidScope(`scope exceeds what the subject token allows: ${beyond.join(' ')}`);
    if (!requested.length) throw new errors.InvalidScope('the subject token carries no scope that maps to this resource');
    state.resource = target;
    state.scopes = requested;
  };
}
