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

function checkRedirectUri(uri: unknown): void {
  if (typeof uri !== 'string') throw new errors.InvalidRedirectUri('redirect_uris must be strings');
  if (uri.includes('*')) throw new errors.InvalidRedirectUri(`redirect URI ${uri} must not contain a wildcard`);
  if (uri.includes('#')) throw new errors.InvalidRedirectUri(`redirect URI ${uri} must not contain a fragment`);
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new errors.InvalidRedirectUri(`redirect URI ${uri} is not a valid URL`);
  }
  if (url.protocol === 'https:') return;
  if (url.protocol === 'http:' && isLoopback(url)) return;
  // native apps may use private-use schemes (RFC 8252); plain http off loopback never
  if (url.protocol !== 'http:' && /^[a-z][a-z0-9+.-]*\.[a-z0-9+.-]+:$/i.test(url.protocol)) return;
  throw new errors.InvalidRedirectUri(`redirect URI ${uri} must use https (http is allowed on loopback hosts only)`);
}

export function createPolicyValidator(policies: RegistrationPolicies, staticClientIds: Set<string>, knownScopes: Set<string>) {
  const arrivedBy = (clientId: string): ArrivedBy => {
    if (/^https?:\/\//i.test(clientId)) return 'cimd';
    return staticClientIds.has(clientId) ? 'static' : 'dynamic';
  };

  return function validator(_ctx: unknown, key: string, _value: unknown, metadata: Record<string, any>): void {
    if (key !== POLICY_PROPERTIES[0]) return;

    const requestedScopes: string[] = typeof metadata.scope === 'string' ? metadata.scope.split(' ').filter(Boolean) : [];
    const unknown = requestedScopes.filter((s) => !knownScopes.has(s));
    if (unknown.length) throw new errors.InvalidClientMetadata(`unknown scope: ${unknown.join(' ')}`);

    const stored = typeof metadata.registration_policy === 'string' ? policies.byName(metadata.registration_policy) : undefined;
    const rule = stored ?? policies.decide({ clientId: metadata.client_id, arrivedBy: arrivedBy(metadata.client_id), requestedScopes });
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
    metadata.display_name = set.display_name
      .replace('{client_name}', metadata.client_name ?? metadata.client_id)
      .replace('{client_id}', metadata.client_id);
  };
}
