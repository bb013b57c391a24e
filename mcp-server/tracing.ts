// The MCP server's span for one POST /mcp, for the flow inspector: named for the JSON-RPC call it carries
// (`tools/call get_portfolio`, `initialize`, …) and annotated from the request's audit record — who
// (sub, host client, act chains), the gate's decision and the tool's outcome. Never a token. A tool
// that answers with an error (refused by policy, sign-in required in a tool result) marks the span failed
// even though the HTTP status is 200.
import type { Span } from '../common/trace.js';
import type { AuditRecord } from './audit.js';

interface RpcMessage { method?: unknown; params?: { name?: unknown; arguments?: unknown } }

const MAX_ARGUMENTS_JSON = 1024;

/** the hop's name: each message's method, tools/call with its tool */
export function mcpSpanName(messages: RpcMessage[]): string {
  const names = messages.map((m) => {
    if (typeof m.method !== 'string') return 'response';
    return m.method === 'tools/call' ? `tools/call ${String(m.params?.name ?? '?')}` : m.method;
  });
  return names.length ? names.join(', ') : 'POST /mcp';
}

/** the arguments of a single tools/call (order details, trade ids), when small */
export function toolArguments(messages: RpcMessage[]): unknown {
  const calls = messages.filter((m) => m.method === 'tools/call');
  if (calls.length !== 1) return undefined;
  const args = calls[0].params?.arguments;
  if (args === undefined) return undefined;
  const json = JSON.stringify(args);
  return json !== undefined && json.length <= MAX_ARGUMENTS_JSON ? args : '[too large]';
}

export function annotateMcpSpan(span: Span, record: AuditRecord): void {
  span.setAttributes({
    'mcp.methods': record.methods,
    'mcp.tool': record.tool,
    // the gate lets a call through; the policy decision point may still refuse it
    'mcp.decision': record.decision === 'allow' && span.attributes['pdp.decision'] === 'deny' ? 'deny' : record.decision,
    'mcp.outcome': record.outcome,
    'user.sub': record.sub,
    'client_id': record.clientId,
    'host_token.act': record.act,
    'api_token.act': record.apiAct,
  });
  if (record.outcome !== undefined && record.outcome !== 'ok') span.fail();
}
