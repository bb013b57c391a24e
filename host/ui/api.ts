// Calls to the host's JSON API (same origin; the session cookie rides along).
import type { CallResponse, FlowView, SessionView, ToolInfo } from './protocol.js';

async function request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: body !== undefined ? { 'content-type': 'application/json' } : {},
    body: body !== undefined ? JSON.stringify(body) : undefined,
    credentials: 'same-origin',
  });
  const data = await res.json().catch(() => ({ status: 'error', error: `HTTP ${res.status}` }));
  if (!res.ok && data.status !== 'error') return { status: 'error', error: data.error ?? `HTTP ${res.status}`, message: data.message } as T;
  return data as T;
}

export type ToolList = { status: 'ok'; tools: ToolInfo[] } | Exclude<CallResponse, { status: 'ok' }>;

export const hostApi = {
  session: () => request<SessionView>('GET', '/api/session'),
  connect: (mcpUrl: string, registration: 'auto' | 'dcr') => request<ToolList & SessionView>('POST', '/api/connect', { mcpUrl, registration }),
  disconnect: () => request<SessionView>('POST', '/api/disconnect', {}),
  tools: () => request<ToolList>('GET', '/api/tools'),
  callTool: (name: string, args: Record<string, unknown>, opts: { traceId?: string; widget?: boolean } = {}) =>
    request<CallResponse>('POST', '/api/tools/call', { name, arguments: args, ...opts }),
  flow: (traceId: string) => request<FlowView | { status: 'error'; error: string }>('GET', `/api/flow?trace_id=${traceId}`),
};
