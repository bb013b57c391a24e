// Trading: quotes and trades are priced from the stored quote only (a price the caller sends is
// ignored), cash and holdings move by exactly the trade's total, the trade records who did it — the
// user, the client, the agent type and the whole `act` chain — and every malformed or unaffordable
// request is refused without changing anything, including clients that abort mid-body.
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { TestStack } from '../../test-support/stack.js';
import {
  apiToken, assertError, assertMoney, call, dumpDb, holdingOf, openApiDb, snapshot, startApiStack, type ApiToken,
} from './helpers.js';

describe('portfolio API: trades', () => {
  let stack: TestStack;
  let alice: ApiToken;
  let bob: ApiToken;

  before(async () => {
    stack = await startApiStack();
    [alice, bob] = await Promise.all([apiToken(stack, 'alice@demo.example'), apiToken(stack, 'bob@demo.example')]);
  });
  after(() => stack.cleanup());

  it('quotes ACME across the policy thresholds (200 / 1000 EUR) without changing anything', async () => {
    const before = dumpDb(stack);
    const quote = async (quantity: number, side = 'buy') =>
      (await call(stack, 'POST', '/trades/quote', { token: alice.token, body: { symbol: 'ACME', side, quantity } })).body;
    assert.deepEqual(await quote(1), {
      symbol: 'ACME', name: 'Acme Corporation', side: 'buy', quantity: 1, price: 84, total: 84, currency: 'USD', total_eur: 77.28,
    });
    assert.ok((await quote(1)).total_eur < 200, '1 share is well under 200 EUR');
    const five = await quote(5);
    assert.ok(five.total_eur > 200 && five.total_eur < 1000, '5 shares need approval');
    assert.equal(five.total_eur, 386.4);
    assert.ok((await quote(20)).total_eur > 1000, '20 shares exceed 1000 EUR');
    assert.equal((await quote(10, 'sell')).total, 840);
    assert.deepEqual(dumpDb(stack), before);
  });

  it('buys at the stored price whatever price the caller sends, moving cash and shares exactly', async () => {
    const before = await snapshot(stack, alice.token);
    const res = await call(stack, 'POST', '/trades', {
      token: alice.token, body: { symbol: 'acme', side: 'buy', quantity: 5, price: 0.01, total: 0.05, currency: 'JPY' },
    });
    assert.equal(res.status, 201);
    const { trade, portfolio } = res.body;
    assert.equal(trade.symbol, 'ACME');
    assert.equal(trade.name, 'Acme Corporation');
    assert.equal(trade.side, 'buy');
    assert.equal(trade.quantity, 5);
    assert.equal(trade.price, 84, 'the price sent by the caller is ignored');
    assert.equal(trade.total, 420);
    assert.equal(trade.currency, 'USD');
    assert.equal(trade.total_eur, 386.4);
    assert.equal(trade.status, 'executed');
    assert.match(trade.id, /^[A-Za-z0-9-]+$/);
    assert.ok(Math.abs(Date.parse(trade.created_at) - Date.now()) < 10_000);

    assertMoney(portfolio.cash.amount, before.portfolio.cash.amount - 420, 'cash');
    assert.equal(holdingOf(portfolio, 'ACME'), holdingOf(before.portfolio, 'ACME') + 5);
    assert.equal(holdingOf(portfolio, 'GLBX'), holdingOf(before.portfolio, 'GLBX'), 'other holdings untouched');
    assertMoney(portfolio.total_value, before.portfolio.total_value, 'buying at the quote keeps the total value');
    assert.deepEqual((await call(stack, 'GET', '/portfolio', { token: alice.token })).body, portfolio, 'the answer is what is stored');
  });

  it('sells, credits the proceeds, and drops a holding sold to zero', async () => {
    const before = (await call(stack, 'GET', '/portfolio', { token: alice.token })).body;
    const glbx = await call(stack, 'POST', '/trades', { token: alice.token, body: { symbol: 'GLBX', side: 'sell', quantity: 3 } });
    assert.equal(glbx.status, 201);
    assert.equal(glbx.body.trade.total, 138.6);
    assert.equal(holdingOf(glbx.body.portfolio, 'GLBX'), holdingOf(before, 'GLBX') - 3);
    const umbr = await call(stack, 'POST', '/trades', { token: alice.token, body: { symbol: 'UMBR', side: 'sell', quantity: holdingOf(before, 'UMBR') } });
    assert.equal(umbr.status, 201);
    assert.ok(!umbr.body.portfolio.holdings.some((h: any) => h.symbol === 'UMBR'), 'a holding sold to zero disappears');
    assertMoney(umbr.body.portfolio.cash.amount, before.cash.amount + 138.6 + holdingOf(before, 'UMBR') * 131.4, 'cash');
  });

  it('records the user, the client, the agent type and the full act chain with each trade, newest first', async () => {
    const res = await call(stack, 'POST', '/trades', { token: alice.token, body: { symbol: 'INIT', side: 'buy', quantity: 1 } });
    assert.equal(res.status, 201);
    const chain = { sub: 'mcp-server', act: { sub: alice.hostClientId } };

    const listed = (await call(stack, 'GET', '/trades', { token: alice.token })).body.trades;
    assert.equal(listed[0].id, res.body.trade.id, 'newest first');
    assert.deepEqual(listed[0].act, chain);
    assert.equal(listed[0].client_id, 'mcp-server');
    assert.equal(listed[0].client_type, 'mcp');
    const times = listed.map((t: any) => Date.parse(t.created_at));
    assert.deepEqual(times, [...times].sort((a, b) => b - a));

    const db = openApiDb(stack);
    try {
      const row = db.prepare('SELECT owner, client_id, client_type, act, price_minor, total_minor FROM trades WHERE id = ?').get(res.body.trade.id) as any;
      assert.equal(row.owner, 'alice@demo.example');
      assert.equal(row.client_id, 'mcp-server');
      assert.equal(row.client_type, 'mcp');
      assert.deepEqual(JSON.parse(row.act), chain);
      assert.equal(row.price_minor, 21275);
    } finally {
      db.close();
    }
  });

  it('refuses every malformed or impossible order with 400 and changes nothing', async () => {
    const before = await snapshot(stack, alice.token);
    const held = holdingOf(before.portfolio, 'ACME');
    const cases: [unknown, RegExp][] = [
      ['not json', /JSON/],
      ['{"symbol": "ACME", "side": "buy", "quantity": 1', /JSON/],
      ['', /JSON/],
      ['[]', /object/],
      ['null', /object/],
      ['"ACME"', /object/],
      [{}, /symbol is required/],
      [{ side: 'buy', quantity: 1 }, /symbol is required/],
      [{ symbol: 'NOPE', side: 'buy', quantity: 1 }, /unknown symbol NOPE/],
      [{ symbol: 'SOLV', side: 'buy', quantity: 1 }, /unknown symbol SOLV/],
      [{ symbol: 42, side: 'buy', quantity: 1 }, /symbol/],
      [{ symbol: 'AC ME; DROP TABLE trades', side: 'buy', quantity: 1 }, /symbol/],
      [{ symbol: 'ACME', quantity: 1 }, /side/],
      [{ symbol: 'ACME', side: 'hold', quantity: 1 }, /side/],
      [{ symbol: 'ACME', side: 'BUY', quantity: 1 }, /side/],
      [{ symbol: 'ACME', side: 'buy' }, /quantity is required/],
      [{ symbol: 'ACME', side: 'buy', quantity: 0 }, /positive/],
      [{ symbol: 'ACME', side: 'buy', quantity: -5 }, /positive/],
      [{ symbol: 'ACME', side: 'buy', quantity: 1.5 }, /whole number/],
      [{ symbol: 'ACME', side: 'buy', quantity: '5' }, /number/],
      [{ symbol: 'ACME', side: 'buy', quantity: null }, /number/],
      [{ symbol: 'ACME', side: 'buy', quantity: [5] }, /number/],
      [{ symbol: 'ACME', side: 'buy', quantity: 1_000_001 }, /exceed/],
      ['{"symbol": "ACME", "side": "buy", "quantity": 1e400}', /number/],
      [{ symbol: 'INIT', side: 'buy', quantity: 1000 }, /insufficient cash/],
      [{ symbol: 'ACME', side: 'sell', quantity: held + 1 }, /insufficient holdings/],
      [{ symbol: 'HOOL', side: 'sell', quantity: 1 }, /insufficient holdings/],
    ];
    for (const path of ['/trades', '/trades/quote', '/trade-intents']) {
      for (const [body, description] of cases) {
        const res = await call(stack, 'POST', path, { token: alice.token, body });
        assert.equal(res.status, 400, `${path} ${JSON.stringify(body)}: ${res.status} ${JSON.stringify(res.body)}`);
        assertError(res, 400, 'invalid_request', description);
      }
    }
    assert.deepEqual(await snapshot(stack, alice.token), before);
  });

  it('refuses a body over 16 KiB with 413, declared or streamed, and changes nothing', async () => {
    const before = await snapshot(stack, alice.token);
    const big = JSON.stringify({ symbol: 'ACME', side: 'buy', quantity: 1, pad: 'x'.repeat(17 * 1024) });
    assertError(await call(stack, 'POST', '/trades', { token: alice.token, body: big }), 413, 'invalid_request', /larger than/);
    // chunked: no content-length to refuse up front, so the limit applies while reading
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${stack.config.api.publicUrl}/trades`, {
        method: 'POST', headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'application/json' },
      }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      for (let i = 0; i < 20; i++) req.write('x'.repeat(1024));
      req.end();
    });
    assert.equal(status, 413);
    assert.deepEqual(await snapshot(stack, alice.token), before);
  });

  it('survives clients that abort mid-body or speak broken HTTP, and changes nothing', async () => {
    const before = await snapshot(stack, alice.token);
    const { port } = new URL(stack.config.api.publicUrl);
    await Promise.all(Array.from({ length: 10 }, () => new Promise<void>((resolve) => {
      const req = http.request(`${stack.config.api.publicUrl}/trades`, {
        method: 'POST',
        headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'application/json', 'content-length': '200' },
      });
      req.on('error', () => resolve());
      req.write('{"symbol": "ACME", "side": "buy", "quan');
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 50);
    })));
    const garbage = await new Promise<string>((resolve) => {
      const socket = net.connect(Number(port), 'localhost', () => socket.write('NOT HTTP AT ALL\r\n\r\n'));
      let text = '';
      socket.on('data', (d) => (text += d));
      socket.on('close', () => resolve(text));
      socket.on('error', () => resolve(text));
    });
    assert.match(garbage, /^HTTP\/1\.1 400/);
    assert.deepEqual((await call(stack, 'GET', '/health')).body, { ok: true }, 'still serving');
    assert.deepEqual(await snapshot(stack, alice.token), before);
  });

  it('never overspends under concurrent buys: cash covers exactly the trades that succeed', async () => {
    const start = (await call(stack, 'GET', '/portfolio', { token: bob.token })).body;
    assert.equal(start.cash.amount, 8000);
    // 10 NORD cost 1423.00 EUR: 5 fit in 8000 EUR, the 6th does not
    const results = await Promise.all(Array.from({ length: 12 }, () =>
      call(stack, 'POST', '/trades', { token: bob.token, body: { symbol: 'NORD', side: 'buy', quantity: 10 } })));
    assert.equal(results.filter((r) => r.status === 201).length, 5);
    for (const r of results.filter((x) => x.status !== 201)) assertError(r, 400, 'invalid_request', /insufficient cash/);
    const end = (await call(stack, 'GET', '/portfolio', { token: bob.token })).body;
    assertMoney(end.cash.amount, 8000 - 5 * 1423, 'cash');
    assert.equal(holdingOf(end, 'NORD'), holdingOf(start, 'NORD') + 50);
    assert.equal((await call(stack, 'GET', '/trades', { token: bob.token })).body.trades.length, 5);
  });

  it('keeps trades and balances across a restart (seeding never resets them)', async () => {
    const before = await snapshot(stack, alice.token);
    await stack.restart();
    assert.deepEqual(await snapshot(stack, alice.token), before);
  });
});
