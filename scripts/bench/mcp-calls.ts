// MCP tools/call requests as a host sends them to our stateless Streamable HTTP endpoint (JSON
// responses), built as load-generator targets, plus the check every answer must pass: HTTP 200 with
// a JSON-RPC result for the same id that is not a tool error.
import type http from 'node:http';
import type { StackConfig } from '../../common/config.js';
import { send, withBody, type LoadTarget } from './http-load.js';

export const MCP_PROTOCOL_VERSION = '2025-06-18';

export interface ToolCall {
  tool: string;
  args: Record<string, unknown>;
  /** the user's MCP access token; none for public tools */
  token?: string;
}

/** what is wrong with a tools/call answer, or undefined when it is a good result for `id` */
export function toolResultProblem(body: string, id: number): string | undefined {
  let msg: any;
  try {
    msg = JSON.parse(body);
  } catch {
    return `not JSON: ${body.slice(0, 120)}`;
  }
  if (msg?.jsonrpc !== '2.0' || msg.id !== id) return `not the JSON-RPC answer to id ${id}: ${body.slice(0, 120)}`;
  if (msg.error) return `JSON-RPC error ${msg.error.code}: ${msg.error.message}`;
  if (!msg.result || typeof msg.result !== 'object') return `no result: ${body.slice(0, 120)}`;
  if (msg.result.isError) return `tool error: ${msg.result.content?.[0]?.text ?? body.slice(0, 120)}`;
  return undefined;
}

/** one tools/call POST with this JSON-RPC id, checked by toolResultProblem */
export function toolCallTarget(config: StackConfig, call: ToolCall, id: number): LoadTarget {
  const mcp = new URL(config.mcpResource);
  const headers: Record<string, string> = {
    host: mcp.host,
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': MCP_PROTOCOL_VERSION,
  };
  if (call.token) headers.authorization = `Bearer ${call.token}`;
  const body = JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: call.tool, arguments: call.args } });
  return withBody(
    { host: '127.0.0.1', port: config.mcp.port, path: mcp.pathname, method: 'POST', headers, check: (_status, text) => toolResultProblem(text, id) },
    body,
  );
}

/** a request factory for runLoad: the same call with a fresh JSON-RPC id each time */
export function toolCallFactory(config: StackConfig, call: ToolCall): (seq: number) => LoadTarget {
  return (seq) => toolCallTarget(config, call, seq + 1);
}

let nextId = 1_000_000;

/** one tools/call over the agent; returns the tool result (structuredContent etc.) or throws with the problem */
export async function callTool(agent: http.Agent, config: StackConfig, call: ToolCall, timeoutMs = 10_000): Promise<any> {
  const id = nextId++;
  const target = toolCallTarget(config, call, id);
  const answer = await send(agent, target, timeoutMs);
  const problem = answer.status === 200 ? target.check(answer.status, answer.body) : `HTTP ${answer.status}: ${answer.body.slice(0, 200)}`;
  if (problem) throw new Error(`${call.tool}: ${problem}`);
  return JSON.parse(answer.body).result;
}
