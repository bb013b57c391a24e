// The four lanes of the flow inspector, and which service a URL belongs to (public or internal address).
import type { StackConfig } from '../common/config.js';
import type { Lane } from './ui/protocol.js';

export interface SpanSource {
  lane: Lane;
  label: string;
  /** base URL whose /_spans the host reads */
  url: string;
}

const origin = (url: string) => {
  try {
    return new URL(url).origin;
  } catch {
    return '';
  }
};

export function createLanes(config: StackConfig) {
  const byOrigin = new Map<string, Lane>();
  const add = (lane: Lane, ...urls: string[]) => urls.forEach((u) => byOrigin.set(origin(u), lane));
  add('auth', config.auth.publicUrl, config.auth.internalUrl);
  add('mcp', config.mcp.publicUrl, config.mcp.internalUrl);
  add('api', config.api.publicUrl, config.api.internalUrl);
  add('host', config.hostApp.publicUrl, config.hostApp.internalUrl);

  return {
    /** the lane a URL the host calls belongs to; an unknown MCP server counts as the MCP lane */
    laneOf(url: string, mcpUrl?: string): Lane | undefined {
      const o = origin(url);
      return byOrigin.get(o) ?? (mcpUrl && origin(mcpUrl) === o ? 'mcp' : undefined);
    },
    /** where to read spans for one trace: the stack's services, plus a foreign MCP server if one is in use */
    sources(mcpUrl?: string): SpanSource[] {
      const local = origin(mcpUrl ?? '') === origin(config.mcp.publicUrl) || !mcpUrl;
      return [
        { lane: 'mcp', label: 'MCP server', url: local ? config.mcp.internalUrl : origin(mcpUrl!) },
        { lane: 'auth', label: 'Auth server', url: config.auth.internalUrl },
        { lane: 'api', label: 'Portfolio API', url: config.api.internalUrl },
      ];
    },
  };
}

export type Lanes = ReturnType<typeof createLanes>;
