// W3C Trace Context and a small per-service span recorder, for the flow inspector.
//  - `traceparent` (version 00): 00-<32 hex trace id>-<16 hex parent span id>-<2 hex flags>. An absent or
//    invalid header (bad shape, upper case, all-zero ids, version ff) starts a new trace.
//  - One server span per incoming request, child of the incoming traceparent. The current span lives in an
//    AsyncLocalStorage, so code anywhere in the request can annotate it (`currentSpan()`), and the shared
//    HTTP client sends `traceparent` of the current span on every outbound call (`traceHeaders()`).
//  - Finished spans go to a bounded in-memory ring (answers `/_spans` fast) and, batched in one SQLite
//    transaction at most every 200 ms, to the service's own database (`spans` table; survives restarts).
//  - `GET /_spans?trace_id=<32 hex>` answers every span of one trace this service recorded, sorted by start.
//    Attributes are serialized once, when the span ends, and any JWT-looking string in them is replaced:
//    the endpoint never hands out a token, whatever a caller put in an attribute.
import { AsyncLocalStorage } from 'node:async_hooks';
import crypto from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Db } from './db.js';

export interface TraceParent {
  traceId: string;
  /** the caller's span: the parent of the span we start */
  spanId: string;
  flags: string;
}

export type SpanStatus = 'ok' | 'error';

export interface SpanRecord {
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  service: string;
  name: string;
  /** wall clock, milliseconds since the epoch, microsecond precision */
  start_ms: number;
  duration_ms: number;
  status: SpanStatus;
  attributes: Record<string, unknown>;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
/** the common case, checked without captures */
const TRACEPARENT_00 = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);
export const TRACE_ID = /^[0-9a-f]{32}$/;

/** parses a `traceparent` header; undefined when absent or invalid (the caller then starts a new trace) */
export function parseTraceparent(value: string | string[] | undefined): TraceParent | undefined {
  // a repeated header arrives as an array (or joined with ", "): ambiguous, so invalid
  if (typeof value !== 'string' || value.length > 512) return undefined;
  if (value.length === 55 && TRACEPARENT_00.test(value)) {
    const traceId = value.slice(3, 35);
    const spanId = value.slice(36, 52);
    return traceId === ZERO_TRACE || spanId === ZERO_SPAN ? undefined : { traceId, spanId, flags: value.slice(53) };
  }
  const m = TRACEPARENT.exec(value.trim());
  if (!m) return undefined;
  const [, version, traceId, spanId, flags, rest] = m;
  if (version === 'ff') return undefined;
  // version 00 is exactly four fields; a later version may append more, which we ignore
  if (version === '00' && rest !== undefined) return undefined;
  if (traceId === ZERO_TRACE || spanId === ZERO_SPAN) return undefined;
  return { traceId, spanId, flags };
}

export function formatTraceparent({ traceId, spanId, flags }: TraceParent): string {
  return `00-${traceId}-${spanId}-${flags}`;
}

// ids come from a pooled random buffer: one randomBytes call per few hundred spans
let pool = Buffer.alloc(0);
let offset = 0;
function randomHex(bytes: number): string {
  if (offset + bytes > pool.length) {
    pool = crypto.randomBytes(4096);
    offset = 0;
  }
  const hex = pool.toString('hex', offset, offset + bytes);
  offset += bytes;
  return /[^0]/.test(hex) ? hex : randomHex(bytes);
}

export const newTraceId = (): string => randomHex(16);
export const newSpanId = (): string => randomHex(8);

const nowMs = () => performance.timeOrigin + performance.now();
const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

/** any compact JWS/JWT (header and payload both JSON objects) */
const JWT_LIKE = /eyJ[\w-]*\.eyJ[\w-]*\.[\w-]*/g;

/** attributes as stored: JSON with every JWT-looking string replaced */
function serializeAttributes(attributes: Record<string, unknown>): string {
  let json: string;
  try {
    json = JSON.stringify(attributes);
  } catch {
    return '{"attributes_error":"not serializable"}';
  }
  return json.includes('eyJ') ? json.replace(JWT_LIKE, '[redacted token]') : json;
}

export class Span {
  readonly spanId = newSpanId();
  readonly startMs = nowMs();
  private readonly started = performance.now();
  status: SpanStatus = 'ok';
  readonly attributes: Record<string, unknown> = {};
  private ended = false;

  constructor(
    private readonly recorder: SpanRecorder,
    public name: string,
    readonly traceId: string,
    readonly parentSpanId: string | null,
    readonly flags: string,
  ) {}

  /** the header value that makes a downstream span a child of this one */
  get traceparent(): string {
    return formatTraceparent({ traceId: this.traceId, spanId: this.spanId, flags: this.flags });
  }

  setAttribute(key: string, value: unknown): this {
    if (value !== undefined) this.attributes[key] = value;
    return this;
  }

  setAttributes(values: Record<string, unknown>): this {
    for (const k in values) if (values[k] !== undefined) this.attributes[k] = values[k];
    return this;
  }

  /** marks the span failed; a span never goes back from error to ok */
  fail(): this {
    this.status = 'error';
    return this;
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.recorder.record({
      trace_id: this.traceId,
      span_id: this.spanId,
      parent_span_id: this.parentSpanId,
      service: this.recorder.service,
      name: this.name,
      start_ms: round(this.startMs, 3),
      duration_ms: round(performance.now() - this.started, 3),
      status: this.status,
      attributes: serializeAttributes(this.attributes),
    });
  }
}

const active = new AsyncLocalStorage<Span>();

/** the span of the request being handled, wherever in its async call chain this runs */
export const currentSpan = (): Span | undefined => active.getStore();

/** `traceparent` for an outbound call made on behalf of the current request (empty outside a request) */
export function traceHeaders(): Record<string, string> {
  const span = active.getStore();
  return span ? { traceparent: span.traceparent } : {};
}

export function runInSpan<T>(span: Span, fn: () => T): T {
  return active.run(span, fn);
}

/** a span record as kept before the attributes are parsed again for an answer */
interface StoredSpan extends Omit<SpanRecord, 'attributes'> {
  attributes: string;
}

export interface RecorderOptions {
  /** spans kept in memory (default 5,000) */
  capacity?: number;
  /** spans kept in SQLite, oldest deleted first (default 100,000) */
  maxStored?: number;
  /** how long finished spans wait to be written in one transaction (default 200 ms: a commit costs
   *  about as much as ten inserted spans, so bigger batches keep the cost near 10 µs a span) */
  flushMs?: number;
}

// the trace_id index costs about 3 µs per stored span and keeps a lookup outside the ring fast
const SPANS_SCHEMA = `
CREATE TABLE IF NOT EXISTS spans (
  id INTEGER PRIMARY KEY, trace_id TEXT NOT NULL, span_id TEXT NOT NULL, parent_span_id TEXT,
  service TEXT NOT NULL, name TEXT NOT NULL, start_ms REAL NOT NULL, duration_ms REAL NOT NULL,
  status TEXT NOT NULL, attributes TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS spans_trace ON spans (trace_id);
`;

export class SpanRecorder {
  private readonly ring: (StoredSpan | undefined)[];
  private next = 0;
  /** end time of the newest span pushed out of the ring: older traces may be partly in SQLite only */
  private evictedUntil = -Infinity;
  private pending: StoredSpan[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writtenSincePrune = 0;
  private readonly maxStored: number;
  private readonly flushMs: number;
  private readonly writeBatch?: (rows: StoredSpan[]) => void;
  private readonly selectTrace?: (traceId: string) => StoredSpan[];
  private readonly prune?: () => void;

  constructor(readonly service: string, private readonly db?: Db, options: RecorderOptions = {}) {
    this.ring = new Array(options.capacity ?? 5000);
    this.maxStored = options.maxStored ?? 100_000;
    this.flushMs = options.flushMs ?? 200;
    if (db) {
      db.exec(SPANS_SCHEMA);
      const insert = db.prepare(
        `INSERT INTO spans (trace_id, span_id, parent_span_id, service, name, start_ms, duration_ms, status, attributes)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      this.writeBatch = db.transaction((rows: StoredSpan[]) => {
        for (const r of rows) insert.run(r.trace_id, r.span_id, r.parent_span_id, r.service, r.name, r.start_ms, r.duration_ms, r.status, r.attributes);
      });
      const select = db.prepare(
        `SELECT trace_id, span_id, parent_span_id, service, name, start_ms, duration_ms, status, attributes
           FROM spans WHERE trace_id = ? AND service = ?`,
      );
      this.selectTrace = (traceId) => select.all(traceId, service) as StoredSpan[];
      const deleteOld = db.prepare('DELETE FROM spans WHERE id <= (SELECT max(id) FROM spans) - ?');
      this.prune = () => deleteOld.run(this.maxStored);
    }
  }

  /** starts a span: a child of `parent` (same trace), or the root of a new trace */
  startSpan(name: string, parent?: TraceParent | Span | null, attributes?: Record<string, unknown>): Span {
    const span = parent
      ? new Span(this, name, parent.traceId, parent.spanId, parent.flags)
      : new Span(this, name, newTraceId(), null, '01');
    if (attributes) span.setAttributes(attributes);
    return span;
  }

  record(span: StoredSpan): void {
    const old = this.ring[this.next];
    if (old) this.evictedUntil = Math.max(this.evictedUntil, old.start_ms + old.duration_ms);
    this.ring[this.next] = span;
    this.next = (this.next + 1) % this.ring.length;
    if (!this.writeBatch) return;
    this.pending.push(span);
    if (this.pending.length >= 1000) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.flushMs).unref();
  }

  /** writes the waiting spans to SQLite now */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.pending.length || !this.writeBatch || !this.db?.open) return;
    const rows = this.pending;
    this.pending = [];
    this.writeBatch(rows);
    this.writtenSincePrune += rows.length;
    if (this.writtenSincePrune >= 1000) {
      this.writtenSincePrune = 0;
      this.prune!();
    }
  }

  /** every span of one trace recorded by this service, oldest start first */
  spans(traceId: string): SpanRecord[] {
    const byId = new Map<string, StoredSpan>();
    let earliest = Infinity;
    for (const s of this.ring) {
      if (s && s.trace_id === traceId) {
        byId.set(s.span_id, s);
        earliest = Math.min(earliest, s.start_ms);
      }
    }
    // not in memory at all, or possibly partly pushed out of it: ask SQLite as well
    if (this.selectTrace && this.db?.open && (!byId.size || earliest <= this.evictedUntil)) {
      this.flush();
      for (const s of this.selectTrace(traceId)) if (!byId.has(s.span_id)) byId.set(s.span_id, s);
    }
    return [...byId.values()]
      .sort((a, b) => a.start_ms - b.start_ms)
      .map((s) => ({ ...s, attributes: JSON.parse(s.attributes) as Record<string, unknown> }));
  }

  /** `GET /_spans?trace_id=`: 200 with the spans, 400 for a missing or malformed trace id */
  answerSpansQuery(search: URLSearchParams): { status: number; body: unknown } {
    const traceId = (search.get('trace_id') ?? '').toLowerCase();
    if (!TRACE_ID.test(traceId) || traceId === ZERO_TRACE) {
      return { status: 400, body: { error: 'invalid_request', error_description: 'trace_id must be 32 lowercase hex characters, not all zero' } };
    }
    return { status: 200, body: { spans: this.spans(traceId) } };
  }

  /**
   * Wraps a node:http request listener: serves `GET /_spans`, runs CORS preflights untraced, and runs
   * everything else inside a server span (child of the incoming traceparent) that ends when the response
   * closes, with the HTTP status (error for 4xx/5xx, 499 when the client went away first). The span
   * starts named `METHOD /path`; the service renames it for the hop it is.
   */
  wrap(listener: (req: IncomingMessage, res: ServerResponse) => unknown) {
    return (req: IncomingMessage, res: ServerResponse): void => {
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const path = q === -1 ? url : url.slice(0, q);
      if (path === '/_spans' && (req.method === 'GET' || req.method === 'HEAD')) {
        const { status, body } = this.answerSpansQuery(new URLSearchParams(q === -1 ? '' : url.slice(q + 1)));
        const payload = JSON.stringify(body);
        res.writeHead(status, {
          'content-type': 'application/json; charset=utf-8',
          'content-length': Buffer.byteLength(payload),
          'cache-control': 'no-store',
          'access-control-allow-origin': '*',
        });
        res.end(req.method === 'HEAD' ? undefined : payload);
        return;
      }
      if (req.method === 'OPTIONS') {
        active.exit(() => listener(req, res));
        return;
      }
      const header = req.headers.traceparent;
      const parent = parseTraceparent(header);
      const shown = path.length > 200 ? `${path.slice(0, 200)}…` : path;
      const span = this.startSpan(`${req.method} ${shown}`, parent, { 'http.method': req.method, 'http.path': shown });
      if (header !== undefined && !parent) span.setAttribute('trace.invalid_traceparent', true);
      // W3C Trace Context Level 2: tells the caller which trace (and span) answered
      res.setHeader('traceresponse', span.traceparent);
      res.once('close', () => {
        const status = res.writableFinished ? res.statusCode : 499;
        span.setAttribute('http.status_code', status);
        if (status >= 400) span.fail();
        span.end();
      });
      active.run(span, () => listener(req, res));
    };
  }

  /** flushes what is waiting; call before closing the database */
  close(): void {
    this.flush();
  }
}

export function createSpanRecorder(service: string, db?: Db, options?: RecorderOptions): SpanRecorder {
  return new SpanRecorder(service, db, options);
}
