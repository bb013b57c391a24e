// DESIGN.md journey 5: the user removes the agent on /account; its token stops working at the MCP
// server within a second (401 invalid_token), and the host has to sign in again.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { callToolSignedIn, type SignInLog } from '../../test-support/mcp.js';
import { Phone } from '../../test-support/phone.js';
import { MemoryOAuthProvider } from '../../test-support/sdk-client.js';
import { startTestStack, type TestStack } from '../../test-support/stack.js';

describe('journey 5: revocation on the account page', () => {
  let stack: TestStack;
  before(async () => {
    stack = await startTestStack(['auth-server', 'portfolio-api', 'mcp-server']);
  });
  after(() => stack.cleanup());

  it('removing the agent makes its next call a 401, and the host signs in again', async () => {
    const mcp = stack.config.mcpResource;
    const provider = new MemoryOAuthProvider();
    const log: SignInLog = { authorizations: 0 };
    assert.equal(((await callToolSignedIn(mcp, provider, 'get_portfolio', {}, { log })) as any).structuredContent.owner, 'alice@demo.example');
    assert.equal(log.authorizations, 1);
    const oldToken = provider.savedTokens!.access_token;

    // the user removes the agent on the account page
    const phone = new Phone(stack.config.auth.publicUrl);
    await phone.signIn();
    const account = await phone.browser.get(`${stack.config.auth.publicUrl}/account`);
    const remove = /action="(\/account\/agents\/[^"]+\/remove)"/.exec(account.text)?.[1];
    assert.ok(remove, 'the agent is listed with a Remove button');
    const removed = await phone.browser.post(`${stack.config.auth.publicUrl}${remove}`, {});
    assert.match(removed.text, /Agent removed/);
    assert.doesNotMatch(removed.text, /\/remove"/, 'no agent left');

    await new Promise((r) => setTimeout(r, 1100)); // the MCP server reads the revocation feed at most once a second
    const res = await fetch(mcp, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${oldToken}` },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'get_portfolio', arguments: {} } }),
    });
    assert.equal(res.status, 401);
    assert.match(res.headers.get('www-authenticate')!, /error="invalid_token", error_description="token has been revoked"/);

    const again: any = await callToolSignedIn(mcp, provider, 'get_portfolio', {}, { log });
    assert.equal(log.authorizations, 2, 'the host had to sign in (and consent) again');
    assert.equal(again.structuredContent.owner, 'alice@demo.example');
    assert.notEqual(provider.savedTokens!.access_token, oldToken);
  });
});
