// Region scoping: a token's `region` claim decides which instruments exist for its holder. Alice (USA)
// never sees EU or APAC instruments — not even the Japanese shares she holds — and Bob (EU) never sees
// US ones; an instrument outside the region is a 404 exactly like a symbol that does not exist.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestStack } from '../../test-support/stack.js';
import { apiToken, assertError, assertMoney, call, dumpDb, startApiStack, type ApiToken } from './helpers.js';

const US = ['ACME', 'GLBX', 'INIT', 'UMBR', 'HOOL'];
const EU = ['SOLV', 'NORD', 'BRKL', 'VELA'];
const APAC = ['KAIJ', 'SAKR', 'TAIY'];

describe('portfolio API: portfolios and region filtering', () => {
  let stack: TestStack;
  let alice: ApiToken;
  let bob: ApiToken;

  before(async () => {
    stack = await startApiStack();
    [alice, bob] = await Promise.all([apiToken(stack, 'alice@demo.example'), apiToken(stack, 'bob@demo.example')]);
  });
  after(() => stack.cleanup());

  it("shows Alice her USD cash and US holdings only, valued at the stored prices", async () => {
    const { status, body } = await call(stack, 'GET', '/portfolio', { token: alice.token });
    assert.equal(status, 200);
    assert.equal(body.owner, 'alice@demo.example');
    assert.equal(body.region, 'USA');
    assert.deepEqual(body.cash, { amount: 10000, currency: 'USD' });
    assert.equal(body.currency, 'USD');
    assert.deepEqual(body.holdings.map((h: any) => h.symbol), ['ACME', 'GLBX', 'UMBR']);
    assert.ok(body.holdings.every((h: any) => US.includes(h.symbol) && h.currency === 'USD'));
    assert.deepEqual(body.holdings[0], { symbol: 'ACME', name: 'Acme Corporation', quantity: 10, price: 84, value: 840, currency: 'USD' });
    assertMoney(body.total_value, 10000 + 840 + 25 * 46.2 + 5 * 131.4, 'total = cash + holdings');
  });

  it('does not show Alice the APAC shares she holds: they are stored, but outside her region', async () => {
    const stored = dumpDb(stack).holdings as { owner: string; symbol: string }[];
    assert.ok(stored.some((h) => h.owner === 'alice@demo.example' && h.symbol === 'KAIJ'), 'seeded in the database');
    const { body } = await call(stack, 'GET', '/portfolio', { token: alice.token });
    assert.ok(!body.holdings.some((h: any) => h.symbol === 'KAIJ'));
    assertError(await call(stack, 'GET', '/instruments/KAIJ', { token: alice.token }), 404, 'not_found');
  });

  it('shows Bob his EUR cash and EU holdings only', async () => {
    const { body } = await call(stack, 'GET', '/portfolio', { token: bob.token });
    assert.equal(body.owner, 'bob@demo.example');
    assert.equal(body.region, 'EU');
    assert.deepEqual(body.cash, { amount: 8000, currency: 'EUR' });
    assert.deepEqual(body.holdings.map((h: any) => h.symbol), ['NORD', 'SOLV', 'VELA']);
    assert.ok(body.holdings.every((h: any) => EU.includes(h.symbol) && h.currency === 'EUR'));
  });

  it('answers /instruments for the own region and 404 for every other region, like an unknown symbol', async () => {
    const acme = await call(stack, 'GET', '/instruments/acme', { token: alice.token });
    assert.equal(acme.status, 200);
    assert.deepEqual(acme.body, { symbol: 'ACME', name: 'Acme Corporation', sector: 'tech', region: 'USA', currency: 'USD', price: 84 });
    assert.equal((await call(stack, 'GET', '/instruments/SOLV', { token: bob.token })).status, 200);

    for (const symbol of [...EU, ...APAC]) assertError(await call(stack, 'GET', `/instruments/${symbol}`, { token: alice.token }), 404, 'not_found');
    for (const symbol of [...US, ...APAC]) assertError(await call(stack, 'GET', `/instruments/${symbol}`, { token: bob.token }), 404, 'not_found');

    const unknown = await call(stack, 'GET', '/instruments/ZZZZ', { token: alice.token });
    const foreign = await call(stack, 'GET', '/instruments/SOLV', { token: alice.token });
    assert.deepEqual(
      { ...foreign.body, error_description: foreign.body.error_description.replace('SOLV', 'X') },
      { ...unknown.body, error_description: unknown.body.error_description.replace('ZZZZ', 'X') },
      'an instrument outside the region is indistinguishable from one that does not exist',
    );
  });

  it('refuses to quote or trade an instrument outside the region, as an unknown symbol', async () => {
    const before = dumpDb(stack);
    for (const path of ['/trades/quote', '/trades', '/trade-intents']) {
      assertError(await call(stack, 'POST', path, { token: alice.token, body: { symbol: 'SOLV', side: 'buy', quantity: 1 } }), 400, 'invalid_request', /unknown symbol SOLV/);
      assertError(await call(stack, 'POST', path, { token: alice.token, body: { symbol: 'KAIJ', side: 'sell', quantity: 1 } }), 400, 'invalid_request', /unknown symbol KAIJ/);
      assertError(await call(stack, 'POST', path, { token: bob.token, body: { symbol: 'ACME', side: 'buy', quantity: 1 } }), 400, 'invalid_request', /unknown symbol ACME/);
    }
    assert.deepEqual(dumpDb(stack), before);
  });

  it("keeps each user's trades to themselves", async () => {
    const bought = await call(stack, 'POST', '/trades', { token: bob.token, body: { symbol: 'BRKL', side: 'buy', quantity: 1 } });
    assert.equal(bought.status, 201);
    const aliceTrades = (await call(stack, 'GET', '/trades', { token: alice.token })).body.trades;
    assert.ok(!aliceTrades.some((t: any) => t.id === bought.body.trade.id));
    const bobTrades = (await call(stack, 'GET', '/trades', { token: bob.token })).body.trades;
    assert.deepEqual(bobTrades.map((t: any) => t.id), [bought.body.trade.id]);
  });
});
