// The API as a resource server: public quotes need no token; everything else needs an API token from
// our issuer, for exactly this audience, signed ES256, typed at+jwt, unexpired — and each single
// defect is a 401 invalid_token. The user's own MCP token is refused (no token passthrough), and a
// valid token without the route's scope is a 403 naming the scope.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { forgeToken, unsignedToken } from '../../test-support/forge.js';
import type { TestStack } from '../../test-support/stack.js';
import { apiToken, assertError, call, startApiStack, type ApiToken } from './helpers.js';

describe('portfolio API: public routes and token validation', () => {
  let stack: TestStack;
  let alice: ApiToken;
  let aliceReadOnly: ApiToken;

  before(async () => {
    stack = await startApiStack();
    alice = await apiToken(stack, 'alice@demo.example');
    aliceReadOnly = await apiToken(stack, 'alice@demo.example', 'portfolio:read');
  });
  after(() => stack.cleanup());

  /** claims of a good API token for alice; each test changes one thing */
  const good = () => ({
    iss: stack.config.auth.publicUrl, aud: stack.config.apiResource, sub: 'alice@demo.example',
    client_id: 'mcp-server', scope: 'portfolio:read', region: 'USA',
  });

  function assertInvalidToken(res: Awaited<ReturnType<typeof call>>, description?: RegExp) {
    assertError(res, 401, 'invalid_token', description);
    assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer .*error="invalid_token"/);
  }

  it('answers /health and /quotes without a token', async () => {
    assert.deepEqual((await call(stack, 'GET', '/health')).body, { ok: true });
    const res = await call(stack, 'GET', '/quotes?query=acme');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.quotes, [
      { symbol: 'ACME', name: 'Acme Corporation', sector: 'tech', region: 'USA', currency: 'USD', price: 84 },
    ]);
  });

  it('matches symbol, name or sector case-insensitively, across regions, within the limit', async () => {
    const symbols = async (q: string) => (await call(stack, 'GET', `/quotes?${q}`)).body.quotes.map((x: any) => x.symbol);
    assert.deepEqual(await symbols('query=ENERGY'), ['GLBX', 'SOLV', 'TAIY'], 'sector in every region');
    assert.deepEqual(await symbols('query=nordLICHT'), ['NORD'], 'name');
    assert.deepEqual(await symbols('query=kaij'), ['KAIJ'], 'symbol');
    assert.equal((await symbols('')).length, 12, 'no query lists every instrument (default limit 20)');
    assert.deepEqual(await symbols('query=tech&limit=2'), ['ACME', 'INIT']);
    assert.equal((await symbols('limit=1000')).length, 12, 'a limit above 100 is capped, not refused');
    assert.deepEqual(await symbols('query=no-such-thing'), []);
    for (const bad of ['limit=0', 'limit=-1', 'limit=abc', 'limit=2.5']) {
      assertError(await call(stack, 'GET', `/quotes?${bad}`), 400, 'invalid_request', /limit/);
    }
    assertError(await call(stack, 'GET', `/quotes?query=${'x'.repeat(101)}`), 400, 'invalid_request', /query/);
  });

  it('accepts a real exchanged API token (the forged-token cases below differ from it in one claim)', async () => {
    assert.equal((await call(stack, 'GET', '/portfolio', { token: alice.token })).status, 200);
    assert.equal((await call(stack, 'GET', '/portfolio', { token: await forgeToken(stack.dataDir, good()) })).status, 200);
  });

  it('asks for a token with a bare Bearer challenge when none is sent', async () => {
    const res = await call(stack, 'GET', '/portfolio');
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('www-authenticate'), 'Bearer');
    assert.equal(res.body.error, 'unauthorized');
  });

  it("refuses the user's MCP-audience token: no token passthrough", async () => {
    assertInvalidToken(await call(stack, 'GET', '/portfolio', { token: alice.mcpToken }), /aud/);
    assertInvalidToken(await call(stack, 'POST', '/trades', { token: alice.mcpToken, body: { symbol: 'ACME', side: 'buy', quantity: 1 } }));
  });

  it('refuses expired, foreign, mistyped, unsigned, HMAC, RSA and tampered tokens with 401 invalid_token', async () => {
    const now = Math.floor(Date.now() / 1000);
    const forged: Record<string, string> = {
      expired: await forgeToken(stack.dataDir, { ...good(), iat: now - 900, exp: now - 60 }),
      'signed by a key we generated': await forgeToken(stack.dataDir, good(), { foreignKey: true }),
      'another issuer': await forgeToken(stack.dataDir, { ...good(), iss: 'https://evil.example' }),
      'typ JWT instead of at+jwt': await forgeToken(stack.dataDir, good(), { typ: 'JWT' }),
      'alg none': unsignedToken(good()),
      'HS256 with the issuer URL as secret': await new SignJWT(good())
        .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' }).setIssuedAt().setExpirationTime('5m')
        .sign(new TextEncoder().encode(stack.config.auth.publicUrl)),
      'RS256 with the issuer RSA key': await forgeToken(stack.dataDir, good(), { alg: 'RS256' }),
      'audience list naming the API and the MCP server': await forgeToken(stack.dataDir, { ...good(), aud: [stack.config.apiResource, stack.config.mcpResource] }),
      'no client_id': await forgeToken(stack.dataDir, { ...good(), client_id: undefined }),
      'not a JWT': 'abc.def',
    };
    const [h, p, s] = alice.token.split('.');
    const flipped = s[10] === 'A' ? 'B' : 'A';
    forged['tampered signature'] = `${h}.${p}.${s.slice(0, 10)}${flipped}${s.slice(11)}`;
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
    const widened = Buffer.from(JSON.stringify({ ...payload, scope: 'portfolio:read trades:write transaction_x' })).toString('base64url');
    forged['payload changed after signing'] = `${h}.${widened}.${s}`;

    for (const [defect, token] of Object.entries(forged)) {
      const res = await call(stack, 'GET', '/portfolio', { token });
      assert.equal(res.status, 401, `${defect}: ${res.status} ${JSON.stringify(res.body)}`);
      assertInvalidToken(res);
    }
  });

  it('refuses an Authorization header that is not a Bearer token', async () => {
    const res = await call(stack, 'GET', '/portfolio', { headers: { authorization: 'Basic YWxpY2U6c2VjcmV0' } });
    assert.equal(res.body.error, 'invalid_request');
    assert.ok(res.status === 400 || res.status === 401);
  });

  it('answers a valid token without the needed scope with 403 insufficient_scope naming it', async () => {
    const res = await call(stack, 'POST', '/trades', { token: aliceReadOnly.token, body: { symbol: 'ACME', side: 'buy', quantity: 1 } });
    assertError(res, 403, 'insufficient_scope');
    assert.match(res.headers.get('www-authenticate')!, /error="insufficient_scope"/);
    assert.match(res.headers.get('www-authenticate')!, /scope="trades:write"/);
    const intent = await call(stack, 'POST', '/trade-intents', { token: aliceReadOnly.token, body: { symbol: 'ACME', side: 'buy', quantity: 1 } });
    assertError(intent, 403, 'insufficient_scope');
    const noRead = await forgeToken(stack.dataDir, { ...good(), scope: 'trades:write' });
    const portfolio = await call(stack, 'GET', '/portfolio', { token: noRead });
    assertError(portfolio, 403, 'insufficient_scope');
    assert.match(portfolio.headers.get('www-authenticate')!, /scope="portfolio:read"/);
  });

  it('answers unknown routes with 404 and wrong methods with 405 and Allow', async () => {
    assertError(await call(stack, 'GET', '/nope'), 404, 'not_found');
    assertError(await call(stack, 'GET', '/instruments/ACME/extra', { token: alice.token }), 404, 'not_found');
    const del = await call(stack, 'DELETE', '/portfolio', { token: alice.token });
    assertError(del, 405, 'method_not_allowed');
    assert.equal(del.headers.get('allow'), 'GET');
    const get = await call(stack, 'GET', '/trades/quote');
    assertError(get, 405, 'method_not_allowed');
    assert.equal(get.headers.get('allow'), 'POST');
  });
});
