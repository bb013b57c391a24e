// Money out and account changes are not for agents. The rule (authz.ts): a token with an `act` chain,
// or client_type "mcp", or client_assurance_level below 3 gets 403 insufficient_authorization, whatever
// its scopes. A direct high-assurance client (here the mcp-server's own client_credentials token, the
// only non-agent API token this lab issues) passes the rule and gets the real operation.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { forgeToken } from '../../test-support/forge.js';
import type { TestStack } from '../../test-support/stack.js';
import { apiToken, assertError, call, dumpDb, openApiDb, serviceToken, startApiStack, type ApiToken } from './helpers.js';

describe('portfolio API: what agents may not do', () => {
  let stack: TestStack;
  let alice: ApiToken;
  let aliceReadOnly: ApiToken;

  before(async () => {
    stack = await startApiStack();
    alice = await apiToken(stack, 'alice@demo.example');
    aliceReadOnly = await apiToken(stack, 'alice@demo.example', 'portfolio:read');
  });
  after(() => stack.cleanup());

  it('refuses cash withdrawals and settings changes to the agent chain, and changes nothing', async () => {
    const before = dumpDb(stack);
    for (const { token } of [alice, aliceReadOnly]) {
      assertError(
        await call(stack, 'POST', '/cash/withdrawals', { token, body: { amount: 100 } }),
        403, 'insufficient_authorization', /^agents may not withdraw cash$/,
      );
      assertError(
        await call(stack, 'PUT', '/settings', { token, body: { payout_iban: 'XX00 EVIL' } }),
        403, 'insufficient_authorization', /^agents may not change account settings$/,
      );
    }
    assert.deepEqual(dumpDb(stack), before);
    assert.deepEqual((await call(stack, 'GET', '/settings', { token: alice.token })).body, { settings: {} });
  });

  it('applies each part of the rule on its own', async () => {
    const direct = {
      iss: stack.config.auth.publicUrl, aud: stack.config.apiResource, sub: 'alice@demo.example', client_id: 'bank-app',
      scope: 'portfolio:read trades:write', region: 'USA', client_type: 'first-party', client_assurance_level: 3,
    };
    const refused: Record<string, Record<string, unknown>> = {
      'an act chain': { ...direct, act: { sub: 'some-agent' } },
      'client_type mcp': { ...direct, client_type: 'mcp' },
      'assurance level 2': { ...direct, client_assurance_level: 2 },
      'no assurance level': { ...direct, client_assurance_level: undefined },
    };
    for (const [what, claims] of Object.entries(refused)) {
      const res = await call(stack, 'POST', '/cash/withdrawals', { token: await forgeToken(stack.dataDir, claims), body: { amount: 1 } });
      assert.equal(res.status, 403, what);
      assert.equal(res.body.error, 'insufficient_authorization', what);
    }
    const allowed = await call(stack, 'POST', '/cash/withdrawals', { token: await forgeToken(stack.dataDir, direct), body: { amount: 1 } });
    assert.equal(allowed.status, 201, JSON.stringify(allowed.body));
    assert.equal(allowed.body.portfolio.cash.amount, 9999);
  });

  it('lets a direct high-assurance client withdraw cash and store settings', async () => {
    // the lab has no banking app; give the mcp-server service subject an account of its own
    const db = openApiDb(stack, false);
    db.prepare("INSERT INTO accounts (owner, currency, cash_minor) VALUES ('mcp-server', 'EUR', 50000)").run();
    db.close();
    const token = await serviceToken(stack, 'portfolio:read trades:write');

    const withdrawn = await call(stack, 'POST', '/cash/withdrawals', { token, body: { amount: 120.5 } });
    assert.equal(withdrawn.status, 201, JSON.stringify(withdrawn.body));
    assert.deepEqual(withdrawn.body.withdrawal, { amount: 120.5, currency: 'EUR' });
    assert.deepEqual(withdrawn.body.portfolio.cash, { amount: 379.5, currency: 'EUR' });

    const before = dumpDb(stack);
    for (const [body, description] of [
      [{ amount: 1000 }, /insufficient cash/],
      [{ amount: 0 }, /positive/],
      [{ amount: -3 }, /positive/],
      [{ amount: '10' }, /number/],
      [{ amount: 0.001 }, /decimals/],
      [{ amount: 1, currency: 'USD' }, /currency/],
      [{}, /amount is required/],
    ] as [unknown, RegExp][]) {
      assertError(await call(stack, 'POST', '/cash/withdrawals', { token, body }), 400, 'invalid_request', description);
    }
    assert.deepEqual(dumpDb(stack), before, 'refused withdrawals change nothing');

    const saved = await call(stack, 'PUT', '/settings', { token, body: { language: 'de', notifications: { email: true } } });
    assert.equal(saved.status, 200);
    assert.deepEqual((await call(stack, 'GET', '/settings', { token })).body, { settings: { language: 'de', notifications: { email: true } } });
    assertError(await call(stack, 'PUT', '/settings', { token, body: { pad: 'x'.repeat(5000) } }), 400, 'invalid_request', /exceed/);
    assertError(await call(stack, 'PUT', '/settings', { token, body: '[1,2]' }), 400, 'invalid_request', /object/);
  });
});
