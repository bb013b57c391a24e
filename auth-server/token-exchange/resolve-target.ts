// Step 4 — where the new token may go and what it may do:
//  - resource and audience together name at most one target, which must be a resource the
//    client's registration policy allows (default: the policy's first audience); else invalid_target
//  - scopes: the subject token's scopes mapped to the target's scopes (exchangeScopeMap), further
//    limited by the client's policy; a requested scope outside that set is invalid_scope
import { InvalidScope, InvalidTarget, UnauthorizedClient } from './errors.js';
import type { ExchangeStep } from './state.js';

const list = (value: unknown): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [String(value)]);

export function resolveTarget(
  policyOf: (client: any) => { audiences: string[]; scopes: string[] } | undefined,
  scopeMap: Record<string, string[]>,
): ExchangeStep {
  return (state) => {
    const policy = policyOf(state.client);
    if (!policy) throw new UnauthorizedClient('client has no registration policy');
    const named = [...new Set([...list(state.params.resource), ...list(state.params.audience)])];
    if (named.length > 1) throw new InvalidTarget('resource and audience must name one and the same target');
    const target = named[0] ?? policy.audiences[0];
    if (!target || !policy.audiences.includes(target)) {
      throw new InvalidTarget(`this client may not obtain tokens for ${target}`);
    }
    const held = String(state.subject!.scope ?? '').split(' ').filter(Boolean);
    const available = new Set(held.flatMap((s) => scopeMap[s] ?? []).filter((s) => policy.scopes.includes(s)));
    const asked = typeof state.params.scope === 'string' ? state.params.scope.split(' ').filter(Boolean) : [];
    const requested = asked.length ? [...new Set(asked)] : [...available];
    const beyond = requested.filter((s) => !available.has(s));
    if (beyond.length) throw new InvalidScope(`scope exceeds what the subject token allows: ${beyond.join(' ')}`);
    if (!requested.length) throw new InvalidScope('the subject token carries no scope that maps to this resource');
    state.resource = target;
    state.scopes = requested;
  };
}
