// Malformed requests to the auth server's own pages get a clear 4xx page, never a 500 or a crash.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestStack, type TestStack } from '../../test-support/stack.js';

describe('auth server pages under bad input', () => {
  let stack: TestStack;
  before(async () => {
    stack = await startTestStack();
  });
  after(() => stack.cleanup());

  it('answers an oversized form with 413 and a broken %-escape with 400, and keeps serving', async () => {
    const base = stack.config.auth.publicUrl;
    const big = await fetch(`${base}/account/email`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `email=${'a'.repeat(20_000)}`,
    });
    assert.equal(big.status, 413);
    assert.match(await big.text(), /invalid_request.*larger than 16384 bytes/s);

    const escape = await fetch(`${base}/approvals/%ZZ`);
    assert.equal(escape.status, 400);
    assert.match(await escape.text(), /invalid_request/);

    assert.equal((await fetch(`${base}/.well-known/openid-configuration`)).status, 200);
  });
});
