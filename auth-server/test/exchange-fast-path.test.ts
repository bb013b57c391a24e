// The token exchange fast path (token-exchange/fast-path.ts) against the custom grant behind it: the
// same request answered by either gives the same token, and every request the fast path must not
// answer (another grant, another shape, a refusal) still gets oidc-provider's answer, body intact.
// Which path answered is read from the flow inspector's span for the request.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { newSpanId, newTraceId } from '../../common/trace.js';
import { decodeJwt } from '../../test-support/sdk-client.js';
import { startTestStack, type TestStack } from '../../test-support/stack.js';
import { ACCESS_TOKEN_TYPE, basicAuth, TOKEN_EXCHANGE, userMcpToken } from '../../test-support/tokens.js';

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, any>;
  /** the auth server's span for the request */
  span: { name: string; attributes: Record<string, unknown> };
}

describe('token exchange fast path', () => {
  let stack: TestStack;
  let subjectToken: string;
  let jwks: ReturnType<typeof createLocalJWKSet>;

  before(async () => {
    stack = await startTestStack();
    subjectToken = (await userMcpToken(stack.config, { scope: 'portfolio:read portfolio:trade' })).accessToken;
    jwks = createLocalJWKSet((await (await fetch(`${stack.config.auth.publicUrl}/jwks`)).json()) as JSONWebKeySet);
  });
  after(() => stack.cleanup());

  const exchangeForm = (extra: Record<string, string> = {}) => ({
    grant_type: TOKEN_EXCHANGE, subject_token: subjectToken, subject_token_type: ACCESS_TOKEN_TYPE, resource: stack.config.apiResource, ...extra,
  });
  const mcpServer = () => basicAuth('mcp-server', stack.config.mcpServerClientSecret);

  /** POSTs a form (a string is sent as is) to the token endpoint, and fetches the request's span */
  async function post(form: Record<string, string> | string, headers: Record<string, string> = {}): Promise<Answer> {
    const traceId = newTraceId();
    const issuer = stack.config.auth.publicUrl;
    const res = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', traceparent: `00-${traceId}-${newSpanId()}-01`, ...headers },
      body: typeof form === 'string' ? form : new URLSearchParams(form).toString(),
    });
    const body = (await res.json()) as Record<string, any>;
    // the span ends once the answer is written: it may take a moment to show
    for (let tries = 0; ; tries++) {
      const { spans } = (await (await fetch(`${issuer}/_spans?trace_id=${traceId}`)).json()) as { spans: Answer['span'][] };
      if (spans.length) return { status: res.status, headers: res.headers, body, span: spans[0] };
      assert.ok(tries < 50, 'the request left a span');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  const answeredByFastPath = (a: Answer) => a.span.attributes['oauth.fast_path'] === true;

  it('answers the MCP server\'s exchange with the very token the custom grant mints', async () => {
    const fast = await post(exchangeForm(), { authorization: mcpServer() });
    // a field the fast path does not know sends the request on to the custom grant, which ignores it
    const grant = await post(exchangeForm({ unknown_field: 'x' }), { authorization: mcpServer() });
    assert.equal(fast.status, 200, JSON.stringify(fast.body));
    assert.equal(grant.status, 200, JSON.stringify(grant.body));
    assert.ok(answeredByFastPath(fast), 'the fast path answered the plain request');
    assert.ok(!answeredByFastPath(grant), 'the custom grant answered the other');
    for (const a of [fast, grant]) assert.equal(a.span.name, 'token (token-exchange)');

    // the same answer: fields, headers, and the same token but for its id and times
    assert.deepEqual(Object.keys(fast.body), Object.keys(grant.body));
    assert.deepEqual({ ...fast.body, access_token: 0, expires_in: 0 }, { ...grant.body, access_token: 0, expires_in: 0 });
    assert.ok(Math.abs(fast.body.expires_in - grant.body.expires_in) <= 1);
    for (const h of ['content-type', 'cache-control']) assert.equal(fast.headers.get(h), grant.headers.get(h), h);
    const verify = (token: string) => jwtVerify(token, jwks, {
      issuer: stack.config.auth.publicUrl, audience: stack.config.apiResource, typ: 'at+jwt', algorithms: ['ES256'],
    });
    const [f, g] = await Promise.all([verify(fast.body.access_token), verify(grant.body.access_token)]);
    assert.deepEqual(f.protectedHeader, g.protectedHeader, 'alg, typ and kid');
    assert.deepEqual(Object.keys(f.payload), Object.keys(g.payload), 'the same claims in the same order');
    const timeless = (p: Record<string, unknown>) => ({ ...p, jti: 0, iat: 0, exp: 0 });
    assert.deepEqual(timeless(f.payload), timeless(g.payload));
    assert.equal(f.payload.exp! - f.payload.iat!, g.payload.exp! - g.payload.iat!, 'the same lifetime');
    assert.notEqual(f.payload.jti, g.payload.jti);
    assert.deepEqual(f.payload.act, { sub: 'mcp-server', act: { sub: decodeJwt(subjectToken).payload.client_id } });

    // the flow inspector shows both the same way
    for (const key of ['oauth.client_id', 'oauth.grant_type', 'oauth.resource', 'subject_token.claims', 'issued_token.scope']) {
      assert.deepEqual(fast.span.attributes[key], grant.span.attributes[key], key);
    }
    assert.equal((fast.span.attributes['issued_token.claims'] as any).sub, 'alice@demo.example');
  });

  it('leaves other grants, shapes and clients to oidc-provider, with the body intact', async () => {
    const cases: [string, Record<string, string> | string, Record<string, string>][] = [
      ['client_credentials with Basic', { grant_type: 'client_credentials', resource: stack.config.apiResource, scope: 'portfolio:read' }, { authorization: mcpServer() }],
      ['a browser origin (CORS)', exchangeForm(), { authorization: mcpServer(), origin: 'http://localhost:5173' }],
      ['the resource named twice', `${new URLSearchParams(exchangeForm())}&resource=${encodeURIComponent(stack.config.apiResource)}`, { authorization: mcpServer() }],
      ['a charset other than UTF-8', exchangeForm(), { authorization: mcpServer(), 'content-type': 'application/x-www-form-urlencoded; charset=iso-8859-1' }],
    ];
    for (const [label, form, headers] of cases) {
      const a = await post(form, headers);
      assert.equal(a.status, 200, `${label}: ${JSON.stringify(a.body)}`);
      assert.ok(a.body.access_token, label);
      assert.ok(!answeredByFastPath(a), `${label}: answered by oidc-provider`);
    }
    const cors = await post(exchangeForm(), { authorization: mcpServer(), origin: 'http://localhost:5173' });
    assert.equal(cors.headers.get('access-control-allow-origin'), 'http://localhost:5173');
  });

  it('leaves every refusal to the custom grant: its standard error, its audit entry', async () => {
    const refusals: [string, Record<string, string>, string, number, string][] = [
      ['wrong secret', exchangeForm(), basicAuth('mcp-server', 'wrong'), 401, 'invalid_client'],
      ['unknown client', exchangeForm(), basicAuth('nobody', 'x'), 401, 'invalid_client'],
      ['broken Basic encoding', exchangeForm(), `Basic ${Buffer.from('mcp-server:%zz').toString('base64')}`, 400, 'invalid_request'],
      ['a scope beyond the subject token', exchangeForm({ scope: 'trades:admin' }), mcpServer(), 400, 'invalid_scope'],
      ['a scope with a double space', exchangeForm({ scope: 'portfolio:read  trades:write' }), mcpServer(), 400, 'invalid_scope'],
      ['a foreign audience', exchangeForm({ resource: stack.config.mcpResource }), mcpServer(), 400, 'invalid_target'],
      ['a broken subject token', exchangeForm({ subject_token: 'a.b.c' }), mcpServer(), 400, 'invalid_grant'],
    ];
    for (const [label, form, authorization, status, error] of refusals) {
      const a = await post(form, { authorization });
      assert.equal(a.status, status, `${label}: ${JSON.stringify(a.body)}`);
      assert.equal(a.body.error, error, label);
      assert.ok(!answeredByFastPath(a), label);
      assert.equal(a.span.attributes['oauth.error'], error, `${label}: the refusal is on the span`);
    }
    const db = new Database(path.join(stack.dataDir, 'auth.db'), { readonly: true });
    const refused = db.prepare(`SELECT outcome FROM audit WHERE event = 'token.refused'`).pluck().all();
    db.close();
    for (const [, , , , error] of refusals) assert.ok(refused.includes(error), `audited: ${error}`);
  });
});
