// The protected resources this authorization server issues tokens for, and each scope in plain words.
import type { StackConfig } from '../common/config.js';

export interface ResourceServer {
  /** resource indicator = token audience */
  id: string;
  name: string;
  scopes: string[];
  /** granted when an authorization request names no scope */
  defaultScope: string;
  /** who may exchange this resource's tokens (put in `may_act`) */
  mayAct?: string;
}

export const scopeDescriptions: Record<string, string> = {
  'portfolio:read': 'See your holdings, cash balance and quotes',
  'portfolio:trade': 'Buy and sell shares for you (trades above the approval limit still need your confirmation)',
  'trades:write': 'Create and confirm trades in your portfolio',
};

/** prefix scope bound to one trade intent, only granted through CIBA approval of that trade */
export const TRANSACTION_SCOPE = /^transaction_[A-Za-z0-9-]{1,64}$/;

export function resourceServers(config: StackConfig): Map<string, ResourceServer> {
  const list: ResourceServer[] = [
    {
      id: config.mcpResource,
      name: 'Portfolio MCP server',
      scopes: ['portfolio:read', 'portfolio:trade'],
      defaultScope: 'portfolio:read',
      mayAct: 'mcp-server',
    },
    {
      id: config.apiResource,
      name: 'Portfolio API',
      scopes: ['portfolio:read', 'trades:write'],
      defaultScope: 'portfolio:read',
    },
  ];
  return new Map(list.map((r) => [r.id, r]));
}

/** every static scope any resource knows: oidc-provider must list them to accept them in client metadata */
export function allResourceScopes(config: StackConfig): string[] {
  return [...new Set([...resourceServers(config).values()].flatMap((r) => r.scopes))];
}

/** token exchange: which API scopes each MCP scope may become (DESIGN.md "Resources, scopes, clients") */
export const exchangeScopeMap: Record<string, string[]> = {
  'portfolio:read': ['portfolio:read'],
  'portfolio:trade': ['trades:write', 'portfolio:read'],
};
