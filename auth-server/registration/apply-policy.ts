// Applies the registration policy to every client oidc-provider instantiates: open DCR, CIMD documents,
// pre-registered clients and clients loaded back from storage. Runs as extraClientMetadata.validator,
// so it can refuse (RFC 7591 errors) and rewrite metadata before oidc-provider's own schema checks.
//
// Checks, in order:
//  1. a rule admits the client (first match; a stored client keeps the rule it was admitted by)
//  2. every requested scope is one this server knows
//  3. grant types are within the rule's (refresh_token is dropped when the rule has refresh tokens off)
//  4. redirect URIs are https, or http on a loopback host; no fragment, no wildcard
// Then it sets what the rule decides: scope (never capped by the DCR request), client_type,
// client_assurance_level and display name.
import { errors } from 'oidc-provider';
import type { ArrivedBy, RegistrationPolicies } from './policies.js';

export const POLICY_PROPERTIES = ['registration_policy', 'client_type', 'client_assurance_level', 'display_name'];

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);
const REFRESH = 'refresh_token';

export function isLoopback(url: URL): boolean {
  return LOOPBACK.has(url.hostname);
}

// oidc-provider's InvalidRedirectUri carries a fixed authorization-endpoint description; InvalidClientMetadata
// answers invalid_redirect_uri (RFC 7591) with our description when it starts with "redirect_uris"
const badRedirect = (why: string) => new errors.InvalidClientMetadata(`redirect_uris ${why}`);

function checkRedirectUri(uri: unknown): void {
  if (typeof uri !== 'string') throw badRedirect('must be strings');
  if (uri.includes('*')) throw badRedirect(`must not contain a wildcard: ${uri}`);
  if (uri.includes('#')) throw badRedirect(`must not contain a fragment: ${uri}`);
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw badRedirect(`must be valid URLs: ${uri}`);
  }
  if (url.protocol === 'https:') return;
  if (url.protocol === 'http:' && isLoopback(url)) return;
  // native apps may use private-use schemes (RFC 8252); plain http off loopback never
  if (url.protocol !== 'http:' && /^[a-z][a-z0-9+.-]*\.[a-z0-9+.-]+:$/i.test(url.protocol)) return;
  throw badRedirect(`must use https (http is allowed on loopback hosts only): ${uri}`);
}

export function createPolicyValidator(policies: RegistrationPolicies, staticClientIds: Set<string>, knownScopes: Set<string>) {
  const arrivedBy = (clientId: string): ArrivedBy => {
    if (/^https?:\/\//i.test(clientId)) return 'cimd';
    return staticClientIds.has(clientId) ? 'static' : 'dynamic';
  };

  return function validator(ctx: unknown, key: string, _value: unknown, metadata: Record<string, any>): void {
    if (key !== POLICY_PROPERTIES[0]) return;
    const by = arrivedBy(metadata.client_id);

    const requestedScopes: string[] = typeof metadata.scope === 'string' ? metadata.scope.split(' ').filter(Boolean) : [];
    const unknown = requestedScopes.filter((s) => !knownScopes.has(s));
    if (unknown.length) throw new errors.InvalidClientMetadata(`unknown scope: ${unknown.join(' ')}`);

    // The rule name is ours to set, never the client's: only a client loaded back from storage keeps the rule
    // it was admitted by (a registration request comes with a ctx; a CIMD document is never stored).
    const fromStorage = ctx === undefined && by !== 'cimd';
    const stored = fromStorage && typeof metadata.registration_policy === 'string' ? policies.byName(metadata.registration_policy) : undefined;
    const rule = stored ?? policies.decide({ clientId: metadata.client_id, arrivedBy: by, requestedScopes });
    if (!rule) throw new errors.InvalidClientMetadata('no registration policy admits this client (check the requested scope and grant types)');
    const set = rule.set;

    let grantTypes: string[] = Array.isArray(metadata.grant_types) ? metadata.grant_types : ['authorization_code'];
    if (!set.refresh_tokens) grantTypes = grantTypes.filter((g) => g !== REFRESH);
    const refused = grantTypes.filter((g) => !set.grant_types.includes(g) && g !== REFRESH);
    if (refused.length) throw new errors.InvalidClientMetadata(`grant type not allowed by the "${rule.name}" policy: ${refused.join(' ')}`);
    metadata.grant_types = grantTypes;
    if (!grantTypes.includes('authorization_code') && !grantTypes.includes('implicit')) metadata.response_types = [];

    for (const uri of metadata.redirect_uris ?? []) checkRedirectUri(uri);

    metadata.scope = set.scopes.join(' ');
    metadata.registration_policy = rule.name;
    metadata.client_type = set.client_type;
    metadata.client_assurance_level = set.client_assurance_level;
    metadata.authorization_details_types = set.authorization_details_types ?? [];
    // one pass with a replacer: a client name holding "$&" or "{client_id}" is shown as written
    const fill: Record<string, string> = { client_name: metadata.client_name ?? metadata.client_id, client_id: metadata.client_id };
    metadata.display_name = set.display_name.replace(/\{(client_name|client_id)\}/g, (_m: string, key: string) => fill[key]);
  };
}
