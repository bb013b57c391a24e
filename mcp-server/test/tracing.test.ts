// The flow inspector's data, end to end on the real stack: one tools/call carrying a W3C traceparent
// leaves a span on every service it touched — same trace, correct parent links, decoded claims that
// show the delegation chain — and no /_spans answer ever contains a token or a secret.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseTraceparent } from '../../common/trace.js';
import { Phone } from '../../test-support/phone.js';
import { startTestStack, type TestStack } from '../../test-support/stack.js';
import { basicAuth, TOKEN_EXCHANGE, ACCESS_TOKEN_TYPE, userMcpToken } from '../../test-support/tokens.js';
import type { SpanRecord } from '../../common/trace.js';

const JWT_LIKE = /eyJ[\w-]+\.eyJ[\w-]+\./;
const PARENT = '00f067aa0ba902b7';
const newTrace = () => Array.from({ length: 32 }, () => '0123456789abcdef'[Math.floor(Math.random() * 16)]).join('');

/** a span as /_spans answers it; the tests read attributes freely */
type SpanView = SpanRecord & { attributes: Record<string, any> };

describe('trace context across the three services', () => {
  let stack: TestStack;
  let token: string;
  let hostClientId: string;
  let services: Record<string, string>;
  /** every raw /_spans answer this suite received, checked for tokens at the end */
  const answers: string[] = [];

  before(async () => {
    stack = await startTestStack(['auth-server', 'portfolio-api', 'mcp-server']);
    const user = await userMcpToken(stack.config, { scope: 'portfolio:read' });
    token = user.accessToken;
    hostClientId = user.client.client_id;
    services = { 'auth-server': stack.config.auth.publicUrl, 'mcp-server': stack.config.mcp.publicUrl, 'portfolio-api': stack.config.api.publicUrl };
  });
  after(() => stack.cleanup());

  const callTool = (name: string, headers: Record<string, string>, bearer?: string) => fetch(stack.config.mcpResource, {
    method: 'POST',
    headers: {
      'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-06-18',
      ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), ...headers,
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: name === 'search_stocks' ? { query: 'a' } : {} } }),
  });

  async function spansOf(service: string, traceId: string): Promise<SpanView[]> {
    const res = await fetch(`${services[service]}/_spans?trace_id=${traceId}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    const text = await res.text();
    answers.push(text);
    const { spans } = JSON.parse(text) as { spans: SpanView[] };
    for (const s of spans) {
      assert.equal(s.trace_id, traceId);
      assert.equal(s.service, service);
    }
    return spans;
  }

  it('a protected tool call leaves linked spans on all three services, with decoded claims', async () => {
    const traceId = newTrace();
    const res = await callTool('get_portfolio', { traceparent: `00-${traceId}-${PARENT}-01` }, token);
    assert.equal(res.status, 200);
    const result = (await res.json()) as any;
    assert.notEqual(result.result.isError, true);
    assert.equal(parseTraceparent(res.headers.get('traceresponse') ?? undefined)?.traceId, traceId);

    const [mcp] = await spansOf('mcp-server', traceId);
    assert.equal(mcp.name, 'tools/call get_portfolio');
    assert.equal(mcp.parent_span_id, PARENT);
    assert.equal(mcp.status, 'ok');
    assert.equal(mcp.attributes['http.status_code'], 200);
    assert.equal(mcp.attributes['mcp.tool'], 'get_portfolio');
    assert.equal(mcp.attributes['mcp.decision'], 'allow');
    assert.equal(mcp.attributes['mcp.outcome'], 'ok');
    assert.equal(mcp.attributes['user.sub'], 'alice@demo.example');
    assert.equal(mcp.attributes.token_exchange, 'requested');
    assert.equal(mcp.attributes['pdp.decision'], 'permit');
    assert.deepEqual(mcp.attributes['api_token.act'], { sub: 'mcp-server', act: { sub: hostClientId } });

    const auth = await spansOf('auth-server', traceId);
    const exchange = auth.find((s) => s.name === 'token (token-exchange)');
    assert.ok(exchange, `auth-server spans: ${auth.map((s) => s.name)}`);
    assert.equal(exchange.parent_span_id, mcp.span_id);
    assert.equal(exchange.status, 'ok');
    assert.equal(exchange.attributes['oauth.client_id'], 'mcp-server');
    assert.equal(exchange.attributes['oauth.grant_type'], TOKEN_EXCHANGE);
    assert.equal(exchange.attributes['subject_token.claims'].sub, 'alice@demo.example');
    assert.equal(exchange.attributes['subject_token.claims'].aud, stack.config.mcpResource);
    assert.deepEqual(exchange.attributes['subject_token.claims'].may_act, { sub: 'mcp-server' });
    const issued = exchange.attributes['issued_token.claims'];
    assert.equal(issued.sub, 'alice@demo.example');
    assert.equal(issued.aud, stack.config.apiResource);
    assert.equal(issued.client_id, 'mcp-server');
    assert.deepEqual(issued.act, { sub: 'mcp-server', act: { sub: hostClientId } });

    const pdp = auth.find((s) => s.name === 'pdp evaluation');
    assert.ok(pdp);
    assert.equal(pdp.parent_span_id, mcp.span_id);
    assert.equal(pdp.attributes['pdp.decision'], 'permit');
    assert.equal(pdp.attributes['pdp.tool'], 'get_portfolio');
    assert.ok(pdp.attributes['pdp.reason']);
    assert.deepEqual(pdp.attributes['pdp.obligations'], []);

    const [api] = await spansOf('portfolio-api', traceId);
    assert.equal(api.name, 'GET /portfolio');
    assert.equal(api.parent_span_id, mcp.span_id);
    assert.equal(api.status, 'ok');
    assert.equal(api.attributes['caller.sub'], 'alice@demo.example');
    assert.equal(api.attributes['caller.client_id'], 'mcp-server');
    assert.deepEqual(api.attributes['caller.act'], { sub: 'mcp-server', act: { sub: hostClientId } });

    // each hop happens inside the MCP server's span
    for (const s of [exchange, pdp, api]) {
      assert.ok(s.start_ms >= mcp.start_ms && s.start_ms + s.duration_ms <= mcp.start_ms + mcp.duration_ms + 1, s.name);
    }
  });

  it('a repeated call reuses the exchanged token: no second exchange span', async () => {
    const traceId = newTrace();
    assert.equal((await callTool('get_portfolio', { traceparent: `00-${traceId}-${PARENT}-01` }, token)).status, 200);
    const [mcp] = await spansOf('mcp-server', traceId);
    assert.equal(mcp.attributes.token_exchange, 'cached');
    assert.deepEqual((await spansOf('auth-server', traceId)).map((s) => s.name), ['pdp evaluation']);
  });

  it('an invalid traceparent starts a new trace, and the hops join that one', async () => {
    const bogus = newTrace();
    const res = await callTool('search_stocks', { traceparent: `00-${bogus}-zzzz-01` });
    assert.equal(res.status, 200);
    const answered = parseTraceparent(res.headers.get('traceresponse') ?? undefined);
    assert.ok(answered);
    assert.notEqual(answered.traceId, bogus);
    assert.deepEqual(await spansOf('mcp-server', bogus), []);
    const [mcp] = await spansOf('mcp-server', answered.traceId);
    assert.equal(mcp.name, 'tools/call search_stocks');
    assert.equal(mcp.parent_span_id, null);
    assert.equal(mcp.attributes['trace.invalid_traceparent'], true);
    const [api] = await spansOf('portfolio-api', answered.traceId);
    assert.equal(api.name, 'GET /quotes');
    assert.equal(api.parent_span_id, mcp.span_id);
  });

  it('a refusal is an error span carrying the OAuth error', async () => {
    const traceId = newTrace();
    const res = await callTool('get_portfolio', { traceparent: `00-${traceId}-${PARENT}-01` });
    assert.equal(res.status, 401);
    const [mcp] = await spansOf('mcp-server', traceId);
    assert.equal(mcp.status, 'error');
    assert.equal(mcp.attributes['mcp.decision'], 'challenge');
    assert.equal(mcp.attributes['http.status_code'], 401);

    const refused = await fetch(`${stack.config.auth.publicUrl}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded', traceparent: `00-${traceId}-${PARENT}-01`,
        authorization: basicAuth('mcp-server', stack.config.mcpServerClientSecret),
      },
      body: new URLSearchParams({
        grant_type: TOKEN_EXCHANGE, subject_token: `${token.split('.').slice(0, 2).join('.')}.bad-signature`,
        subject_token_type: ACCESS_TOKEN_TYPE, resource: stack.config.apiResource,
      }),
    });
    assert.equal(refused.status, 400);
    const [exchange] = await spansOf('auth-server', traceId);
    assert.equal(exchange.name, 'token (token-exchange)');
    assert.equal(exchange.status, 'error');
    assert.equal(exchange.parent_span_id, PARENT);
    assert.equal(exchange.attributes['oauth.error'], (await refused.json() as any).error);
    assert.equal(exchange.attributes['subject_token.claims'].sub, 'alice@demo.example');
    assert.equal(exchange.attributes['issued_token.claims'], undefined);
  });

  it('a trade approved on the phone: backchannel and CIBA token spans show decoded claims, never the transaction token', async () => {
    const trader = (await userMcpToken(stack.config, { scope: 'portfolio:read portfolio:trade' })).accessToken;
    const rpc = async (name: string, args: Record<string, unknown>, traceId: string) => {
      const res = await fetch(stack.config.mcpResource, {
        method: 'POST',
        headers: {
          'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-06-18',
          authorization: `Bearer ${trader}`, traceparent: `00-${traceId}-${PARENT}-01`,
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } }),
      });
      assert.equal(res.status, 200);
      return ((await res.json()) as any).result;
    };
    const placed = newTrace();
    const pending = await rpc('buy_stock', { symbol: 'ACME', quantity: 5 }, placed);
    assert.equal(pending.structuredContent.status, 'pending_approval', JSON.stringify(pending.content));
    const tradeId = pending.structuredContent.trade_id;
    const [buy] = await spansOf('mcp-server', placed);
    assert.equal(buy.attributes['pdp.decision'], 'permit_with_approval');
    const backchannel = (await spansOf('auth-server', placed)).find((s) => s.name === 'backchannel');
    assert.ok(backchannel);
    assert.equal(backchannel.parent_span_id, buy.span_id);
    assert.equal(backchannel.attributes['login_hint_token.claims'].sub, 'alice@demo.example');
    assert.match(backchannel.attributes['oauth.scope'], new RegExp(`transaction_${tradeId}`));
    assert.equal(backchannel.attributes['ciba.binding_message'], pending.structuredContent.binding_message);
    assert.equal(backchannel.attributes['oauth.authorization_details'][0].trade_id, tradeId);

    const phone = new Phone(stack.config.auth.publicUrl);
    await phone.signIn();
    await phone.decide(await phone.open(pending.structuredContent.qr.url), 'approve');
    let done: any;
    let confirmed = '';
    for (let i = 0; i < 30 && done?.structuredContent?.status !== 'executed'; i++) {
      await new Promise((r) => setTimeout(r, 300));
      confirmed = newTrace();
      done = await rpc('continue_authorization', { trade_id: tradeId }, confirmed);
    }
    assert.equal(done.structuredContent.status, 'executed', JSON.stringify(done.content));
    const [cont] = await spansOf('mcp-server', confirmed);
    assert.equal(cont.name, 'tools/call continue_authorization');
    const ciba = (await spansOf('auth-server', confirmed)).find((s) => s.name === 'token (ciba)');
    assert.ok(ciba);
    assert.equal(ciba.parent_span_id, cont.span_id);
    assert.equal(ciba.status, 'ok');
    const transaction = ciba.attributes['issued_token.claims'];
    assert.equal(transaction.scope, `transaction_${tradeId}`);
    assert.equal(transaction.sub, 'alice@demo.example');
    assert.equal(transaction.authorization_details[0].trade_id, tradeId);
    const confirm = (await spansOf('portfolio-api', confirmed)).find((s) => s.name === 'POST /trade-intents/:id/confirm');
    assert.ok(confirm);
    assert.equal(confirm.parent_span_id, cont.span_id);
    assert.equal(confirm.attributes['caller.scope'], `transaction_${tradeId}`);
  });

  it('answers 400 for a malformed trace id on every service', async () => {
    for (const base of Object.values(services)) {
      for (const q of ['', '?trace_id=', '?trace_id=123', `?trace_id=${'g'.repeat(32)}`]) {
        const res = await fetch(`${base}/_spans${q}`);
        assert.equal(res.status, 400, `${base}/_spans${q}`);
        assert.equal(res.headers.get('access-control-allow-origin'), '*');
        assert.equal(((await res.json()) as any).error, 'invalid_request');
      }
    }
  });

  it('no /_spans answer contains a token or a secret', () => {
    assert.ok(answers.length >= 8);
    for (const text of answers) {
      assert.doesNotMatch(text, JWT_LIKE);
      assert.ok(!text.includes(token.split('.')[2]), 'a token signature leaked');
      assert.ok(!text.includes(stack.config.mcpServerClientSecret), 'the client secret leaked');
    }
  });
});
