// How a tool is declared here: schemas (zod, published as JSON Schema), hints, security schemes and the
// scopes it needs, the API scopes its token exchange asks for, and a handler that gets an API token
// only when the auth gate has already checked everything.
import { z } from 'zod';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { AccessClaims } from '../../common/access-token.js';
import type { ApiClient } from '../api-client.js';
import type { CibaClient } from '../ciba-client.js';
import type { PdpClient } from '../pdp-client.js';
import type { PendingApprovals } from '../pending-approvals.js';

export type SecurityScheme = { type: 'noauth' } | { type: 'oauth2'; scopes: string[] };

/** what every tool call can use, the same for all requests */
export interface ToolServices {
  api: ApiClient;
  pdp: PdpClient;
  ciba: CibaClient;
  approvals: PendingApprovals;
}

export interface ToolContext extends ToolServices {
  /** the host's own access token: only ever sent back to the auth server (CIBA login_hint_token) */
  hostToken?: string;
  /** the validated host token's claims (absent for anonymous calls) */
  claims?: AccessClaims;
  /** the exchanged API token (present when the tool needs one and the gate obtained it) */
  apiToken?: string;
  /** set when the tool must answer "sign in first" in a tool result (ChatGPT compatibility mode) */
  challenge?: string;
  /** why no API token could be obtained (auth server unreachable) */
  exchangeError?: string;
}

export interface ToolDefinition<I extends z.ZodRawShape = z.ZodRawShape> {
  name: string;
  title: string;
  description: string;
  input: z.ZodObject<I>;
  output?: z.ZodObject<z.ZodRawShape>;
  readOnly: boolean;
  /** scopes the host token must carry; empty = public tool */
  scopes: string[];
  /** scopes requested from token exchange for the API call */
  apiScopes?: string;
  /** extra _meta (widget templates, widget-only visibility) */
  meta?: Record<string, unknown>;
  /** the tool asks the policy decision point itself (trades: with the API's authoritative quote) */
  decidesWithPdp?: boolean;
  run(args: z.infer<z.ZodObject<I>>, ctx: ToolContext): Promise<CallToolResult>;
}

export function defineTool<I extends z.ZodRawShape>(def: ToolDefinition<I>): ToolDefinition {
  return def as unknown as ToolDefinition;
}

export function securitySchemes(tool: ToolDefinition): SecurityScheme[] {
  return tool.scopes.length ? [{ type: 'oauth2', scopes: tool.scopes }] : [{ type: 'noauth' }];
}

/** the tools/list entry: JSON Schemas, annotations, and securitySchemes at the top level and in _meta */
export function describeTool(tool: ToolDefinition) {
  const schemes = securitySchemes(tool);
  return {
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema: z.toJSONSchema(tool.input, { io: 'input' }),
    ...(tool.output ? { outputSchema: z.toJSONSchema(tool.output, { io: 'output' }) } : {}),
    annotations: { title: tool.title, readOnlyHint: tool.readOnly, destructiveHint: !tool.readOnly, openWorldHint: false },
    securitySchemes: schemes,
    _meta: { securitySchemes: schemes, ...tool.meta },
  };
}

export function toolError(message: string, meta?: Record<string, unknown>): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: message }], ...(meta ? { _meta: meta } : {}) };
}

export function toolResult(text: string, structured: Record<string, unknown>, meta?: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text }], structuredContent: structured, ...(meta ? { _meta: meta } : {}) };
}
