// W3C traceparent parsing and the span recorder: parent links, the current span across awaits, the
// in-memory ring with its SQLite fallback, the /_spans answer, and that no token ever comes out of it.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { decodeTokenClaims } from '../token-claims.js';
import {
  createSpanRecorder, currentSpan, formatTraceparent, newSpanId, newTraceId, parseTraceparent, runInSpan, traceHeaders,
} from '../trace.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const jwt = (payload: unknown) => `${b64({ alg: 'ES256', typ: 'at+jwt' })}.${b64(payload)}.c2lnbmF0dXJl`;

describe('traceparent', () => {
  it('parses a valid version 00 header', () => {
    assert.deepEqual(parseTraceparent(`00-${TRACE}-${PARENT}-01`), { traceId: TRACE, spanId: PARENT, flags: '01' });
    assert.deepEqual(parseTraceparent(` 00-${TRACE}-${PARENT}-00 `), { traceId: TRACE, spanId: PARENT, flags: '00' });
  });

  it('rejects every malformed header, so a new trace starts', () => {
    const bad = [
      undefined, '', 'garbage', `00-${TRACE}-${PARENT}`, `00-${TRACE.toUpperCase()}-${PARENT}-01`,
      `00-${'0'.repeat(32)}-${PARENT}-01`, `00-${TRACE}-${'0'.repeat(16)}-01`, `ff-${TRACE}-${PARENT}-01`,
      `00-${TRACE}-${PARENT}-01-extra`, `00-${TRACE.slice(1)}-${PARENT}-01`, `00-${TRACE}-${PARENT}1-01`,
      `0-${TRACE}-${PARENT}-01`, `00_${TRACE}_${PARENT}_01`, `00-${TRACE}-${PARENT}-0g`,
      [`00-${TRACE}-${PARENT}-01`, `00-${TRACE}-${PARENT}-01`], `00-${TRACE}-${PARENT}-01, 00-${TRACE}-${PARENT}-01`,
    ];
    for (const value of bad) assert.equal(parseTraceparent(value as any), undefined, String(value));
  });

  it('accepts a later version with extra fields, keeping the four it knows', () => {
    assert.deepEqual(parseTraceparent(`01-${TRACE}-${PARENT}-01-whatever`), { traceId: TRACE, spanId: PARENT, flags: '01' });
  });

  it('formats what it parses, and makes well-formed unique ids', () => {
    assert.equal(formatTraceparent({ traceId: TRACE, spanId: PARENT, flags: '01' }), `00-${TRACE}-${PARENT}-01`);
    const traces = new Set(Array.from({ length: 2000 }, newTraceId));
    const spans = new Set(Array.from({ length: 2000 }, newSpanId));
    assert.equal(traces.size, 2000);
    assert.equal(spans.size, 2000);
    for (const id of traces) assert.match(id, /^[0-9a-f]{32}$/);
    for (const id of spans) assert.match(id, /^[0-9a-f]{16}$/);
  });
});

describe('span recorder', () => {
  it('links children to their parent and knows the current span across awaits', async () => {
    const tracer = createSpanRecorder('svc');
    const root = tracer.startSpan('root', parseTraceparent(`00-${TRACE}-${PARENT}-01`));
    assert.equal(root.traceId, TRACE);
    assert.equal(root.parentSpanId, PARENT);
    assert.deepEqual(traceHeaders(), {});
    await runInSpan(root, async () => {
      await new Promise((r) => setTimeout(r, 2));
      assert.equal(currentSpan(), root);
      assert.deepEqual(traceHeaders(), { traceparent: `00-${TRACE}-${root.spanId}-01` });
    });
    assert.equal(currentSpan(), undefined);
    const child = tracer.startSpan('child', root);
    child.end();
    root.setAttributes({ a: 1, skipped: undefined }).fail().end();
    root.end(); // twice: recorded once
    const spans = tracer.spans(TRACE);
    assert.equal(spans.length, 2);
    assert.deepEqual(spans.map((s) => s.name), ['root', 'child']);
    assert.equal(spans[1].parent_span_id, spans[0].span_id);
    assert.equal(spans[0].status, 'error');
    assert.deepEqual(spans[0].attributes, { a: 1 });
    assert.equal(spans[0].service, 'svc');
    assert.ok(spans[0].start_ms > 1.6e12 && spans[0].duration_ms >= 0);
  });

  it('starts a new trace without a parent', () => {
    const tracer = createSpanRecorder('svc');
    const span = tracer.startSpan('alone', undefined);
    assert.notEqual(span.traceId, TRACE);
    assert.equal(span.parentSpanId, null);
    assert.equal(span.flags, '01');
  });

  it('keeps a bounded ring in memory and finds older spans in SQLite, also after a restart', () => {
    const db = new Database(':memory:');
    const tracer = createSpanRecorder('svc', db, { capacity: 3 });
    const traces = Array.from({ length: 5 }, newTraceId);
    for (const t of traces) tracer.startSpan(`span of ${t}`, { traceId: t, spanId: PARENT, flags: '01' }).end();
    // the first two were pushed out of memory, still answered from the database
    for (const t of traces) assert.deepEqual(tracer.spans(t).map((s) => s.name), [`span of ${t}`]);
    tracer.close();
    const again = createSpanRecorder('svc', db, { capacity: 3 });
    assert.equal(again.spans(traces[0]).length, 1);
    assert.equal((db.prepare('SELECT count(*) AS n FROM spans').get() as { n: number }).n, 5);
    db.close();
  });

  it('never hands out a token, whatever was put in an attribute', () => {
    const tracer = createSpanRecorder('svc', new Database(':memory:'));
    const token = jwt({ sub: 'alice' });
    tracer.startSpan('leaky', { traceId: TRACE, spanId: PARENT, flags: '01' }, { oops: `Bearer ${token}`, nested: { t: token } }).end();
    const json = JSON.stringify(tracer.answerSpansQuery(new URLSearchParams({ trace_id: TRACE })).body);
    assert.doesNotMatch(json, /eyJ[\w-]+\.eyJ[\w-]+\./);
    assert.match(json, /redacted token/);
  });

  it('answers /_spans queries: 400 for a malformed trace id, spans sorted by start otherwise', () => {
    const tracer = createSpanRecorder('svc');
    for (const q of ['', 'trace_id=', 'trace_id=xyz', `trace_id=${TRACE}0`, `trace_id=${'0'.repeat(32)}`]) {
      assert.equal(tracer.answerSpansQuery(new URLSearchParams(q)).status, 400, q);
    }
    const a = tracer.startSpan('first', { traceId: TRACE, spanId: PARENT, flags: '01' });
    const b = tracer.startSpan('second', a);
    b.end();
    a.end();
    const { status, body } = tracer.answerSpansQuery(new URLSearchParams({ trace_id: TRACE.toUpperCase() }));
    assert.equal(status, 200);
    assert.deepEqual((body as any).spans.map((s: any) => s.name), ['first', 'second']);
    assert.deepEqual(Object.keys((body as any).spans[0]).sort(),
      ['attributes', 'duration_ms', 'name', 'parent_span_id', 'service', 'span_id', 'start_ms', 'status', 'trace_id']);
  });
});

describe('traced node:http server', () => {
  it('opens a server span per request, child of the incoming traceparent, and serves /_spans with CORS', async () => {
    const tracer = createSpanRecorder('web');
    const seen: (string | undefined)[] = [];
    const server = http.createServer(tracer.wrap(async (req, res) => {
      await new Promise((r) => setImmediate(r));
      seen.push(traceHeaders().traceparent);
      res.writeHead(req.url === '/missing' ? 404 : 200).end();
    }));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const ok = await fetch(`${base}/hello?x=1`, { headers: { traceparent: `00-${TRACE}-${PARENT}-01` } });
      assert.equal(ok.status, 200);
      const answered = parseTraceparent(ok.headers.get('traceresponse') ?? undefined)!;
      assert.equal(answered.traceId, TRACE);
      assert.equal(seen[0], `00-${TRACE}-${answered.spanId}-01`);
      await fetch(`${base}/missing`, { headers: { traceparent: `00-${TRACE}-${PARENT}-01` } });

      const bad = await fetch(`${base}/hello`, { headers: { traceparent: 'not-a-traceparent' } });
      const fresh = parseTraceparent(bad.headers.get('traceresponse') ?? undefined)!;
      assert.notEqual(fresh.traceId, TRACE);

      await new Promise((r) => setTimeout(r, 10));
      const res = await fetch(`${base}/_spans?trace_id=${TRACE}`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('access-control-allow-origin'), '*');
      const { spans } = (await res.json()) as any;
      assert.deepEqual(spans.map((s: any) => [s.name, s.status, s.attributes['http.status_code'], s.parent_span_id]),
        [['GET /hello', 'ok', 200, PARENT], ['GET /missing', 'error', 404, PARENT]]);
      const freshSpans = (await (await fetch(`${base}/_spans?trace_id=${fresh.traceId}`)).json()) as any;
      assert.equal(freshSpans.spans.length, 1);
      assert.equal(freshSpans.spans[0].parent_span_id, null);
      assert.equal(freshSpans.spans[0].attributes['trace.invalid_traceparent'], true);
      assert.equal((await fetch(`${base}/_spans?trace_id=nope`)).status, 400);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});

describe('decoded token claims', () => {
  it('shows a JWT payload, nested signed claims decoded too, and nothing for opaque tokens', () => {
    const receipt = jwt({ approved: true, trade_id: 't1' });
    assert.deepEqual(decodeTokenClaims(jwt({ sub: 'alice', act: { sub: 'mcp-server' }, approval_receipt: receipt })), {
      sub: 'alice', act: { sub: 'mcp-server' }, approval_receipt: { decoded_jws: { approved: true, trade_id: 't1' } },
    });
    assert.equal(decodeTokenClaims('opaque-token-value'), undefined);
    assert.equal(decodeTokenClaims(undefined), undefined);
    assert.equal(decodeTokenClaims('a.b.c'), undefined);
  });
});
