// Trade intents (approval of one trade, DESIGN.md journey 4): an intent is priced and owned when
// created, moves no money, is visible to its owner only, can be cancelled, and is confirmed only by a
// token carrying exactly `transaction_<id>` for it — once, before it expires, even under 50 concurrent
// confirms. Tokens are real: sign-in + token exchange, and transaction tokens from a real CIBA approval
// on the approval page; only the already-expired transaction token is signed here with the auth
// server's key (a real one would take its full lifetime to expire).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { approvedTransactionToken } from '../../test-support/approval.js';
import { forgeToken } from '../../test-support/forge.js';
import { Phone } from '../../test-support/phone.js';
import { tokenRequest, basicAuth } from '../../test-support/tokens.js';
import type { TestStack } from '../../test-support/stack.js';
import {
  apiToken, assertError, assertMoney, call, dumpDb, holdingOf, openApiDb, serviceToken, snapshot, startApiStack, type ApiToken,
} from './helpers.js';

describe('portfolio API: trade intents', () => {
  let stack: TestStack;
  let alice: ApiToken;
  let aliceReadOnly: ApiToken;
  let bob: ApiToken;
  let alicePhone: Phone;

  before(async () => {
    stack = await startApiStack();
    // one sign-in per user at a time: each reads the newest code from that user's inbox
    [alice, bob] = await Promise.all([apiToken(stack, 'alice@demo.example'), apiToken(stack, 'bob@demo.example')]);
    aliceReadOnly = await apiToken(stack, 'alice@demo.example', 'portfolio:read');
    alicePhone = new Phone(stack.config.auth.publicUrl);
    await alicePhone.signIn();
  });
  after(() => stack.cleanup());

  const createIntent = async (body: Record<string, unknown> = { symbol: 'ACME', side: 'buy', quantity: 5 }, token = alice.token) => {
    const res = await call(stack, 'POST', '/trade-intents', { token, body });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body.intent;
  };

  /** alice approves the intent on her phone; the real transaction_<id> token from the CIBA grant */
  const transactionToken = (intent: any) => approvedTransactionToken(stack.config, alice.mcpToken, intent, alicePhone);

  /** an already-expired token of the CIBA shape, signed with the issuer's key */
  const expiredTransactionToken = (intentId: string, exp: number) =>
    forgeToken(stack.dataDir, {
      iss: stack.config.auth.publicUrl, aud: stack.config.apiResource, sub: 'alice@demo.example', region: 'USA', client_id: 'mcp-server',
      scope: `transaction_${intentId}`, client_type: 'mcp', client_assurance_level: 1,
      act: { sub: 'mcp-server', act: { sub: alice.hostClientId } },
      authorization_details: [{ type: 'stock_trade', intent_id: intentId }],
      exp,
    });

  const confirm = (id: string, token: string) => call(stack, 'POST', `/trade-intents/${id}/confirm`, { token });

  it('creates a pending, priced intent that moves no money', async () => {
    const before = await snapshot(stack, alice.token);
    const intent = await createIntent({ symbol: 'ACME', side: 'buy', quantity: 5, price: 1 });
    assert.match(intent.id, /^[A-Za-z0-9-]{6,32}$/, 'fits a transaction_<id> scope');
    assert.equal(intent.owner, 'alice@demo.example');
    assert.equal(intent.status, 'pending');
    assert.equal(intent.price, 84, 'priced server-side');
    assert.equal(intent.total, 420);
    assert.equal(intent.currency, 'USD');
    assert.equal(intent.total_eur, 386.4);
    const ttl = (Date.parse(intent.expires_at) - Date.now()) / 1000;
    assert.ok(ttl > 110 && ttl <= 120, `expires in about 120 s (${ttl})`);

    const after = await snapshot(stack, alice.token);
    assert.deepEqual(after.portfolio, before.portfolio);
    assert.deepEqual(after.trades, before.trades);
    assert.deepEqual((await call(stack, 'GET', `/trade-intents/${intent.id}`, { token: aliceReadOnly.token })).body, { intent });
  });

  it('keeps intents to their owner: anyone else gets 404', async () => {
    const intent = await createIntent();
    assertError(await call(stack, 'GET', `/trade-intents/${intent.id}`, { token: bob.token }), 404, 'not_found');
    assertError(await call(stack, 'POST', `/trade-intents/${intent.id}/cancel`, { token: bob.token }), 404, 'not_found');
    assertError(await confirm(intent.id, bob.token), 404, 'not_found');
    assertError(await call(stack, 'GET', '/trade-intents/doesNotExist', { token: alice.token }), 404, 'not_found');
    assert.equal((await call(stack, 'GET', `/trade-intents/${intent.id}`, { token: alice.token })).body.intent.status, 'pending');
  });

  it('refuses to confirm without the transaction scope for exactly this intent', async () => {
    const intent = await createIntent();
    const other = await createIntent({ symbol: 'GLBX', side: 'sell', quantity: 1 });
    const before = dumpDb(stack);
    for (const token of [alice.token, aliceReadOnly.token, await transactionToken(other)]) {
      const res = await confirm(intent.id, token);
      assertError(res, 403, 'insufficient_scope');
      assert.match(res.headers.get('www-authenticate')!, new RegExp(`scope="transaction_${intent.id}"`));
    }
    assertError(await confirm(intent.id, alice.mcpToken), 401, 'invalid_token');
    assert.equal((await confirm(intent.id, '')).status, 401);
    assert.deepEqual(dumpDb(stack), before, 'nothing confirmed, nothing traded');
  });

  it('a transaction scope cannot be had without the approval: client_credentials is refused it', async () => {
    const intent = await createIntent();
    const { status, body } = await tokenRequest(stack.config, {
      grant_type: 'client_credentials', scope: `transaction_${intent.id}`, resource: stack.config.apiResource,
    }, basicAuth('mcp-server', stack.config.mcpServerClientSecret));
    // the transaction scope is dropped from what client_credentials issues...
    assert.equal(status, 200);
    assert.doesNotMatch(String(body.scope ?? ''), /transaction_/);
    assert.doesNotMatch(Buffer.from(body.access_token.split('.')[1], 'base64url').toString(), /transaction_/);
    // ...and the service's own token, with no user behind it, confirms nothing
    assertError(await confirm(intent.id, body.access_token), 404, 'not_found');
    assertError(await confirm(intent.id, await serviceToken(stack, 'trades:write')), 404, 'not_found');
  });

  it('cancels: owner only, with trades:write, idempotently; a cancelled intent cannot be confirmed', async () => {
    const intent = await createIntent();
    assertError(await call(stack, 'POST', `/trade-intents/${intent.id}/cancel`, { token: aliceReadOnly.token }), 403, 'insufficient_scope');
    const cancelled = await call(stack, 'POST', `/trade-intents/${intent.id}/cancel`, { token: alice.token });
    assert.equal(cancelled.status, 200);
    assert.equal(cancelled.body.intent.status, 'cancelled');
    assert.equal((await call(stack, 'POST', `/trade-intents/${intent.id}/cancel`, { token: alice.token })).body.intent.status, 'cancelled');
    const before = dumpDb(stack);
    assertError(await confirm(intent.id, alice.token), 403, 'insufficient_scope');
    assertError(await confirm(intent.id, await expiredTransactionToken(intent.id, Math.floor(Date.now() / 1000) + 60)), 409, 'cancelled');
    assert.deepEqual(dumpDb(stack), before);
  });

  describe('confirmation with a transaction token from a real CIBA approval', () => {
    it('executes the intent at its approved price once, recording the act chain', async () => {
      const before = (await call(stack, 'GET', '/portfolio', { token: alice.token })).body;
      const intent = await createIntent({ symbol: 'ACME', side: 'buy', quantity: 5 });
      const token = await transactionToken(intent);
      const res = await confirm(intent.id, token);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const { trade, portfolio } = res.body;
      assert.equal(trade.symbol, 'ACME');
      assert.equal(trade.quantity, 5);
      assert.equal(trade.total, 420);
      assert.equal(trade.total_eur, 386.4);
      assert.equal(trade.status, 'executed');
      assert.equal(trade.intent_id, intent.id);
      assert.deepEqual(trade.act, { sub: 'mcp-server', act: { sub: alice.hostClientId } });
      assertMoney(portfolio.cash.amount, before.cash.amount - 420, 'cash');
      assert.equal(holdingOf(portfolio, 'ACME'), holdingOf(before, 'ACME') + 5);
      assert.equal(res.body.intent.status, 'confirmed');
      assert.equal(res.body.intent.trade_id, trade.id);

      const after = dumpDb(stack);
      assertError(await confirm(intent.id, token), 409, 'already_confirmed');
      assertError(await call(stack, 'POST', `/trade-intents/${intent.id}/cancel`, { token: alice.token }), 409, 'already_confirmed');
      assert.deepEqual(dumpDb(stack), after);
    });

    it('turns 50 concurrent confirms into exactly one trade', async () => {
      const before = await snapshot(stack, alice.token);
      const intent = await createIntent({ symbol: 'GLBX', side: 'sell', quantity: 4 });
      const token = await transactionToken(intent);
      const results = await Promise.all(Array.from({ length: 50 }, () => confirm(intent.id, token)));
      assert.equal(results.filter((r) => r.status === 200).length, 1);
      for (const r of results.filter((x) => x.status !== 200)) assertError(r, 409, 'already_confirmed');
      const after = await snapshot(stack, alice.token);
      assert.equal(after.trades.trades.length, before.trades.trades.length + 1);
      assert.equal(holdingOf(after.portfolio, 'GLBX'), holdingOf(before.portfolio, 'GLBX') - 4);
      assertMoney(after.portfolio.cash.amount, before.portfolio.cash.amount + 4 * 46.2, 'cash');
    });

    it('answers 410 for an expired intent and changes nothing', async () => {
      const intent = await createIntent();
      const db = openApiDb(stack, false);
      db.prepare('UPDATE trade_intents SET expires_at = unixepoch() - 1 WHERE id = ?').run(intent.id);
      db.close();
      const before = dumpDb(stack);
      assert.equal((await call(stack, 'GET', `/trade-intents/${intent.id}`, { token: alice.token })).body.intent.status, 'expired');
      assertError(await confirm(intent.id, await expiredTransactionToken(intent.id, Math.floor(Date.now() / 1000) + 60)), 410, 'expired');
      assertError(await call(stack, 'POST', `/trade-intents/${intent.id}/cancel`, { token: alice.token }), 410, 'expired');
      assert.deepEqual(dumpDb(stack), before);
    });

    it('refuses an expired transaction token', async () => {
      const intent = await createIntent();
      const now = Math.floor(Date.now() / 1000);
      assertError(await confirm(intent.id, await expiredTransactionToken(intent.id, now - 1)), 401, 'invalid_token');
    });

    it("refuses a token approved for another trade, and another user's trade", async () => {
      const approved = await createIntent();
      const other = await createIntent();
      const bobs = await createIntent({ symbol: 'SOLV', side: 'buy', quantity: 1 }, bob.token);
      const token = await transactionToken(approved);
      const before = dumpDb(stack);
      assertError(await confirm(other.id, token), 403, 'insufficient_scope');
      assertError(await confirm(bobs.id, token), 404, 'not_found');
      assert.deepEqual(dumpDb(stack), before);
      assert.equal((await confirm(approved.id, token)).status, 200, 'the right trade still confirms');
    });

    it('leaves the intent pending when the cash is gone by the time it is confirmed', async () => {
      const portfolio = (await call(stack, 'GET', '/portfolio', { token: alice.token })).body;
      const shares = Math.floor(portfolio.cash.amount / 84);
      const intent = await createIntent({ symbol: 'ACME', side: 'buy', quantity: shares });
      const spend = await call(stack, 'POST', '/trades', { token: alice.token, body: { symbol: 'ACME', side: 'buy', quantity: 1 } });
      assert.equal(spend.status, 201);
      const token = await transactionToken(intent);
      const before = dumpDb(stack);
      assertError(await confirm(intent.id, token), 400, 'invalid_request', /insufficient cash/);
      assert.deepEqual(dumpDb(stack), before);
      assert.equal((await call(stack, 'GET', `/trade-intents/${intent.id}`, { token: alice.token })).body.intent.status, 'pending');
    });
  });
});
