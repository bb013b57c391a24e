// The host's side of W3C Trace Context: a trace per tool call, a span per step the host takes (the tool
// call, each HTTP request it makes, the sign-in redirect and callback), kept in memory and served at
// /_spans in the same shape the other services use. The active span travels in AsyncLocalStorage, so
// requests the MCP SDK makes deep inside callTool/finishAuth still carry the right `traceparent`.
import { AsyncLocalStorage } from 'node:async_hooks';
import { formatTraceparent, newSpanId, newTraceId, TRACE_ID, type SpanRecord } from '../common/trace.js';

export interface ActiveSpan {
  readonly traceId: string;
  readonly spanId: string;
  set(attributes: Record<string, unknown>): void;
  end(status?: 'ok' | 'error'): void;
}

const MAX_TRACES = 300;

export { newTraceId };
export const isTraceId = (value: unknown): value is string => typeof value === 'string' && TRACE_ID.test(value) && !/^0+$/.test(value);

export function traceparent(span: { traceId: string; spanId: string }): string {
  return formatTraceparent({ traceId: span.traceId, spanId: span.spanId, flags: '01' });
}

export function createTracer(service = 'host') {
  // insertion-ordered, so the oldest trace is dropped first when the cap is reached
  const traces = new Map<string, SpanRecord[]>();
  const current = new AsyncLocalStorage<ActiveSpan>();

  function record(span: SpanRecord) {
    let list = traces.get(span.trace_id);
    if (!list) {
      list = [];
      traces.set(span.trace_id, list);
      if (traces.size > MAX_TRACES) traces.delete(traces.keys().next().value!);
    }
    list.push(span);
  }

  /**
   * starts a span: a child of `parent` when given (to continue a trace across requests), else of the
   * active span, else the root of a fresh trace
   */
  function start(name: string, attributes: Record<string, unknown> = {}, parent?: { traceId: string; spanId?: string }): ActiveSpan {
    const from = parent ?? current.getStore();
    const span: SpanRecord = {
      trace_id: from?.traceId ?? newTraceId(),
      span_id: newSpanId(),
      parent_span_id: from?.spanId ?? null,
      service,
      name,
      start_ms: Date.now(),
      duration_ms: 0,
      status: 'ok',
      attributes: { ...attributes },
    };
    const began = performance.now();
    let ended = false;
    return {
      traceId: span.trace_id,
      spanId: span.span_id,
      set: (more) => Object.assign(span.attributes, more),
      end(status = 'ok') {
        if (ended) return;
        ended = true;
        span.status = status;
        span.duration_ms = Math.round((performance.now() - began) * 10) / 10;
        record(span);
      },
    };
  }

  /** runs `fn` with a new span active; the span ends (ok, or error if `fn` throws) when `fn` settles */
  async function inSpan<T>(
    name: string, attributes: Record<string, unknown>, fn: (span: ActiveSpan) => Promise<T>, parent?: { traceId: string; spanId?: string },
  ): Promise<T> {
    const span = start(name, attributes, parent);
    try {
      const result = await current.run(span, () => fn(span));
      span.end();
      return result;
    } catch (err) {
      span.set({ error: (err as Error).message });
      span.end('error');
      throw err;
    }
  }

  return {
    start,
    inSpan,
    active: () => current.getStore(),
    spans: (traceId: string): SpanRecord[] => [...(traces.get(traceId) ?? [])],
  };
}

export type Tracer = ReturnType<typeof createTracer>;
