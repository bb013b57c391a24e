// The flow inspector: for each tool call (one W3C trace), the spans every service recorded, drawn as a
// sequence diagram across four lanes. A host request span draws the arrow to the service it called;
// a service span whose caller recorded nothing draws its own arrow from the parent's lane; anything
// else is a step inside its lane. Clicking a row shows its attributes, PDP decision and token claims.
import { hostApi } from './api.js';
import { claimsCard } from './claims-view.js';
import { append, clear, h } from './dom.js';
import type { FlowSpan, FlowView, Lane } from './protocol.js';

const LANES: Array<{ lane: Lane; title: string; subtitle: string }> = [
  { lane: 'host', title: 'Host', subtitle: 'this page’s server' },
  { lane: 'mcp', title: 'MCP server', subtitle: 'resource server · PEP' },
  { lane: 'auth', title: 'Auth server', subtitle: 'PDP · token exchange · CIBA' },
  { lane: 'api', title: 'Portfolio API', subtitle: 'business API' },
];
const laneIndex = (lane: string) => Math.max(0, LANES.findIndex((l) => l.lane === lane));
const center = (lane: string) => (laneIndex(lane) + 0.5) * 25;

interface TraceEntry {
  traceId: string;
  label: string;
  time: Date;
  status: string;
  /** how many calls this entry stands for (repeated background polls) */
  count?: number;
}

function decisionText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'permit' : 'deny';
  if (typeof value === 'object') {
    const v = value as Record<string, unknown>;
    const base = decisionText(v.decision ?? v.result ?? v.effect) ?? 'decision';
    const obligations = Array.isArray(v.obligations) ? v.obligations.map((o) => (typeof o === 'string' ? o : (o as any)?.type ?? (o as any)?.id)).filter(Boolean) : [];
    return obligations.length ? `${base} + ${obligations.join(', ')}` : base;
  }
  return String(value);
}

const decisionClass = (text: string) =>
  /deny|invalid|bad_request|not_applicable/i.test(text) ? 'bad' : /challenge|approv|obligation|\+/i.test(text) ? 'warn' : 'good';

/** the policy decision a span records: our own `decision`, the PDP's, or the MCP gate's */
function decisionOf(span: FlowSpan): string | undefined {
  const a = span.attributes;
  const base = decisionText(a.decision ?? a['pdp.decision'] ?? a['mcp.decision']);
  const obligations = Array.isArray(a['pdp.obligations']) ? (a['pdp.obligations'] as unknown[]).map(String) : [];
  return base && obligations.length && !base.includes('+') ? `${base} + ${obligations.join(', ')}` : base;
}
const DECISION_KEYS = new Set(['decision', 'pdp.decision', 'mcp.decision', 'pdp.obligations']);

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/**
 * the tokens a span describes, as [title, claims, attribute keys used]: decoded claims (`claims`,
 * `issued_token.claims`, …), the API's view of its caller (`caller.*`), and bare delegation chains (`….act`)
 */
function tokensOf(span: FlowSpan): Array<[string, Record<string, unknown>, string[]]> {
  const out: Array<[string, Record<string, unknown>, string[]]> = [];
  const attrs = span.attributes ?? {};
  for (const [k, v] of Object.entries(attrs)) {
    if (/claims$/i.test(k) && isObject(v)) out.push([k === 'claims' ? 'Token claims (decoded)' : k.replace(/[._]claims$/i, '').replace(/[._]/g, ' ') + ' claims', v, [k]]);
  }
  const callerKeys = Object.keys(attrs).filter((k) => k.startsWith('caller.') && attrs[k] !== undefined);
  if (callerKeys.length) out.push(['caller token (as the API saw it)', Object.fromEntries(callerKeys.map((k) => [k.slice(7), attrs[k]])), callerKeys]);
  for (const [k, v] of Object.entries(attrs)) {
    if (/\.act$/.test(k) && !k.startsWith('caller.') && isObject(v)) out.push([`${k.replace(/\.act$/, '').replace(/[._]/g, ' ')} delegation chain`, { act: v }, [k]]);
  }
  return out;
}

function statusCode(span: FlowSpan): string | undefined {
  const code = span.attributes['http.status'] ?? span.attributes['http.status_code'] ?? span.attributes.status_code;
  return code !== undefined ? String(code) : undefined;
}

/** decides how a span is drawn: an arrow between two lanes, or a step inside one */
function shape(span: FlowSpan, byId: Map<string, FlowSpan>): { from: string; to: string } | { at: string } {
  const peer = typeof span.attributes.peer === 'string' ? span.attributes.peer : undefined;
  if (peer && peer !== span.lane) return { from: span.lane, to: peer };
  const parent = span.parent_span_id ? byId.get(span.parent_span_id) : undefined;
  if (parent && parent.lane !== span.lane && parent.attributes.peer !== span.lane) return { from: parent.lane, to: span.lane };
  return { at: span.lane };
}

function depthOf(span: FlowSpan, byId: Map<string, FlowSpan>): number {
  let depth = 0;
  for (let p = span.parent_span_id; p && byId.has(p) && depth < 50; p = byId.get(p)!.parent_span_id) depth++;
  return depth;
}

export function createInspector() {
  const traces: TraceEntry[] = [];
  let selected: string | undefined;
  let selectedSpan: string | undefined;
  let flow: FlowView | undefined;
  let loadTimer: ReturnType<typeof setTimeout> | undefined;

  const list = h('div', { class: 'trace-list', testid: 'trace-list' });
  const meta = h('div', { class: 'trace-meta' });
  const diagram = h('div', { class: 'sequence', testid: 'sequence-diagram' });
  const details = h('div', { class: 'span-details', testid: 'span-details' });
  const refresh = h('button', { class: 'ghost small', testid: 'inspector-refresh', title: 'Fetch the spans again', onclick: () => void load() }, 'Refresh');
  const root = h('section', { class: 'panel inspector', testid: 'inspector' },
    h('div', { class: 'panel-head' }, h('h2', {}, 'Flow inspector'), refresh),
    list, meta, diagram, details,
  );

  function renderList() {
    clear(list);
    if (!traces.length) {
      list.append(h('p', { class: 'muted' }, 'Each tool call gets its own W3C trace id, sent as traceparent on every request the host makes. Call a tool to see the hops here.'));
      return;
    }
    for (const t of traces.slice(0, 12)) {
      list.append(h('button', {
        class: `trace-item ${t.traceId === selected ? 'active' : ''} status-${t.status}`,
        testid: 'trace-item',
        'data-trace-id': t.traceId,
        onclick: () => select(t.traceId),
      }, h('span', { class: 'trace-label' }, t.label), t.count ? h('span', { class: 'trace-count', title: `${t.count} calls, the latest shown` }, `×${t.count}`) : null,
      h('span', { class: 'trace-time' }, t.time.toLocaleTimeString())));
    }
  }

  function renderDiagram() {
    clear(diagram);
    clear(meta);
    clear(details);
    if (!flow) return;
    meta.append(
      h('code', { class: 'trace-id', title: 'trace id' }, flow.traceId),
      ...flow.sources.map((s) => h('span', {
        class: `source source-${s.state}`,
        title: s.state === 'ok' ? `${s.count} spans` : s.state === 'no_tracing' ? 'this service does not serve /_spans (yet)' : 'could not reach the service',
      }, `${s.label}: ${s.state === 'ok' ? s.count : s.state === 'no_tracing' ? 'no tracing' : 'unreachable'}`)),
    );
    diagram.append(h('div', { class: 'seq-row seq-head' }, h('div', { class: 'seq-time' }, 'ms'), h('div', { class: 'seq-track' },
      LANES.map((l) => h('div', { class: `lane-title lane-${l.lane}`, style: `left:${laneIndex(l.lane) * 25}%` }, h('strong', {}, l.title), h('small', {}, l.subtitle))))));
    const byId = new Map(flow.spans.map((s) => [s.span_id, s]));
    const t0 = Math.min(...flow.spans.map((s) => s.start_ms));
    const spans = [...flow.spans].sort((a, b) => a.start_ms - b.start_ms || depthOf(a, byId) - depthOf(b, byId));
    if (!spans.length) diagram.append(h('p', { class: 'muted' }, 'No spans recorded for this trace yet.'));
    for (const span of spans) diagram.append(row(span, byId, t0));
    const chosen = spans.find((s) => s.span_id === selectedSpan);
    if (chosen) showDetails(chosen);
  }

  function row(span: FlowSpan, byId: Map<string, FlowSpan>, t0: number): HTMLElement {
    const s = shape(span, byId);
    const code = statusCode(span);
    const decision = decisionOf(span);
    const error = span.status === 'error' || span.status === 'ERROR';
    const label = h('span', { class: 'seq-label' },
      h('span', { class: 'seq-name' }, span.name),
      code ? h('span', { class: `badge ${Number(code) >= 400 ? 'bad' : 'good'}` }, code) : null,
      decision ? h('span', { class: `badge decision ${decisionClass(decision)}` }, decision) : null,
      tokensOf(span).length ? h('span', { class: 'badge claims', title: 'shows decoded token claims' }, 'claims') : null,
      h('span', { class: 'seq-duration' }, `${Math.round(span.duration_ms)} ms`),
    );
    let figure: HTMLElement;
    if ('at' in s) {
      figure = h('div', { class: `seq-box ${error ? 'error' : ''}`, style: `left:calc(${center(s.at)}% - 11%);width:22%` });
    } else {
      const left = Math.min(center(s.from), center(s.to));
      const width = Math.abs(center(s.to) - center(s.from));
      const dir = center(s.to) > center(s.from) ? 'right' : 'left';
      figure = h('div', { class: `seq-arrow ${dir} ${error ? 'error' : ''}`, style: `left:${left}%;width:${width}%` });
    }
    // labels start where their arrow or box starts; near the right edge they end where it ends instead
    const [start, end] = 'at' in s ? [center(s.at) - 11, center(s.at) + 11] : [Math.min(center(s.from), center(s.to)), Math.max(center(s.from), center(s.to))];
    if (start < 55) label.style.left = `${Math.max(start, 1)}%`;
    else label.style.right = `${Math.max(100 - end, 1)}%`;
    const el = h('button', {
      class: `seq-row ${span.span_id === selectedSpan ? 'active' : ''} lane-${span.lane}`,
      testid: 'flow-span',
      'data-lane': span.lane,
      'data-name': span.name,
      onclick: () => {
        selectedSpan = span.span_id;
        diagram.querySelectorAll('.seq-row.active').forEach((r) => r.classList.remove('active'));
        el.classList.add('active');
        showDetails(span);
      },
    }, h('div', { class: 'seq-time' }, `+${Math.round(span.start_ms - t0)}`), h('div', { class: 'seq-track' }, figure, label));
    return el;
  }

  function showDetails(span: FlowSpan) {
    clear(details);
    const tokens = tokensOf(span);
    const used = new Set(tokens.flatMap(([, , keys]) => keys));
    const rest = Object.entries(span.attributes).filter(([k]) => !used.has(k) && !DECISION_KEYS.has(k));
    const decision = decisionOf(span);
    append(details, [
      h('div', { class: 'details-head' },
        h('strong', {}, span.name),
        h('span', { class: 'muted' }, ` · ${span.service} · ${span.status} · ${Math.round(span.duration_ms)} ms`)),
      decision ? h('p', {}, 'Decision: ', h('span', { class: `badge decision ${decisionClass(decision)}` }, decision)) : null,
      rest.length ? h('dl', { class: 'attr-list' }, rest.map(([k, v]) => [h('dt', {}, k), h('dd', {}, typeof v === 'string' ? v : JSON.stringify(v))])) : null,
      tokens.map(([title, claims]) => claimsCard(title, claims)),
    ]);
  }

  async function load() {
    if (!selected) return;
    const traceId = selected;
    const result = await hostApi.flow(traceId).catch(() => undefined);
    if (traceId !== selected) return;
    if (!result || 'status' in result) {
      flow = undefined;
      clear(diagram);
      diagram.append(h('p', { class: 'muted' }, 'This trace is not available.'));
      return;
    }
    flow = result;
    renderDiagram();
  }

  function select(traceId: string) {
    selected = traceId;
    selectedSpan = undefined;
    renderList();
    clearTimeout(loadTimer);
    // services record a span when their response is finished: give the last ones a moment
    loadTimer = setTimeout(() => void load(), 350);
  }

  renderList();
  return {
    root,
    /** records a tool call's trace and shows it (a retry that continues a trace updates its entry) */
    addTrace(traceId: string, label: string, status: string, show = true) {
      const existing = traces.find((t) => t.traceId === traceId);
      const latest = traces[0];
      if (existing) Object.assign(existing, { label, status });
      // a widget's polling shows as one entry (the latest poll) instead of a wall of identical ones
      else if (!show && latest && latest.label === label && latest.traceId !== selected) Object.assign(latest, { traceId, status, time: new Date(), count: (latest.count ?? 1) + 1 });
      else traces.unshift({ traceId, label, time: new Date(), status });
      if (traces.length > 50) traces.length = 50;
      // a widget polling in the background must not pull the diagram away from what the user is reading
      if (show || !selected || selected === traceId) select(traceId);
      else renderList();
    },
    select,
  };
}

export type Inspector = ReturnType<typeof createInspector>;
