// Gathers one trace from every service (`GET <service>/_spans?trace_id=`) for the flow inspector.
// A service without tracing (404) or one that is down is reported as such, never as an error, and
// whatever comes back passes through redactTokens before it reaches a browser.
import type { SpanRecord } from '../common/trace.js';
import { redactTokens } from './claims.js';
import type { Lanes } from './lanes.js';
import type { Tracer } from './tracing.js';
import type { FlowSpan, FlowView, Lane } from './ui/protocol.js';

type SourceState = FlowView['sources'][number];

const TIMEOUT_MS = 1500;

/** the lane a span's own service name points to, when it says */
function laneByName(service: unknown): Lane | undefined {
  const name = String(service ?? '').toLowerCase();
  if (name.includes('auth')) return 'auth';
  if (name.includes('mcp')) return 'mcp';
  if (name.includes('api') || name.includes('portfolio')) return 'api';
  if (name.includes('host')) return 'host';
  return undefined;
}

async function fetchSpans(base: string, traceId: string): Promise<{ state: SourceState['state']; spans: SpanRecord[] }> {
  try {
    const res = await fetch(`${base}/_spans?trace_id=${traceId}`, { signal: AbortSignal.timeout(TIMEOUT_MS), headers: { accept: 'application/json' } });
    if (!res.ok) {
      await res.body?.cancel();
      return { state: 'no_tracing', spans: [] };
    }
    const body = (await res.json()) as { spans?: unknown };
    const spans = Array.isArray(body.spans) ? (body.spans as SpanRecord[]).filter((s) => s && s.trace_id === traceId && typeof s.span_id === 'string') : [];
    return { state: 'ok', spans };
  } catch {
    return { state: 'unreachable', spans: [] };
  }
}

export async function collectFlow(tracer: Tracer, lanes: Lanes, traceId: string, mcpUrl?: string) {
  const sources: SourceState[] = [{ lane: 'host', label: 'Host', state: 'ok', count: 0 }];
  const spans: FlowSpan[] = tracer.spans(traceId).map((s) => ({ ...s, lane: 'host' as const }));
  sources[0].count = spans.length;
  const remote = lanes.sources(mcpUrl);
  const results = await Promise.all(remote.map((s) => fetchSpans(s.url, traceId)));
  const seen = new Set(spans.map((s) => s.span_id));
  remote.forEach((source, i) => {
    const { state, spans: found } = results[i];
    sources.push({ lane: source.lane, label: source.label, state, count: found.length });
    for (const span of found) {
      // services started in one process may share a span store: keep each span once
      if (seen.has(span.span_id)) continue;
      seen.add(span.span_id);
      spans.push({ ...span, lane: laneByName(span.service) ?? source.lane });
    }
  });
  spans.sort((a, b) => a.start_ms - b.start_ms);
  return redactTokens({ traceId, sources, spans });
}
