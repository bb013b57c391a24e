// Loads the declarative registration rules (policies/registration.json) and picks the rule for a client.
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../common/paths.js';
import type { StackConfig } from '../../common/config.js';

export type ArrivedBy = 'dynamic' | 'cimd' | 'static';

export interface PolicySettings {
  client_type: string;
  client_assurance_level: number;
  /** may use {client_name} and {client_id} */
  display_name: string;
  grant_types: string[];
  audiences: string[];
  scopes: string[];
  pkce_required: boolean;
  access_token_ttl: number;
  refresh_tokens: boolean;
  consent_template: string;
  /** RAR types the client may request (stock_trade: trade approvals through CIBA) */
  authorization_details_types?: string[];
}

export interface PolicyRule {
  name: string;
  description: string;
  match: {
    client_id?: string[];
    arrived_by?: ArrivedBy[];
    /** every scope the client asks for must be in this list (no scope asked also matches) */
    scopes_within?: string[];
  };
  set: PolicySettings;
}

export interface ClientFacts {
  clientId: string;
  arrivedBy: ArrivedBy;
  requestedScopes: string[];
}

export const defaultPolicyFile = path.join(repoRoot, 'auth-server', 'policies', 'registration.json');

export function loadRegistrationPolicies(config: StackConfig, file = config.registrationPolicyFile ?? defaultPolicyFile) {
  const raw = fs.readFileSync(file, 'utf8')
    .replaceAll('{mcp_resource}', config.mcpResource)
    .replaceAll('{api_resource}', config.apiResource);
  const rules = (JSON.parse(raw).rules ?? []) as PolicyRule[];
  const byName = new Map(rules.map((r) => [r.name, r]));

  const matches = (rule: PolicyRule, facts: ClientFacts) => {
    const m = rule.match;
    if (m.client_id && !m.client_id.includes(facts.clientId)) return false;
    if (m.arrived_by && !m.arrived_by.includes(facts.arrivedBy)) return false;
    if (m.scopes_within && !facts.requestedScopes.every((s) => m.scopes_within!.includes(s))) return false;
    return true;
  };

  return {
    rules,
    byName: (name: string) => byName.get(name),
    /** first rule whose match admits the client, or undefined */
    decide: (facts: ClientFacts) => rules.find((rule) => matches(rule, facts)),
  };
}

export type RegistrationPolicies = ReturnType<typeof loadRegistrationPolicies>;
