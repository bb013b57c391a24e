// ChatGPT compatibility mode: the MCP server answers "sign in first" with an error tool result carrying
// _meta["mcp/www_authenticate"] instead of an HTTP 401/403. The host reads that challenge, starts the
// same sign-in, and the retried call succeeds.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FormBrowser } from '../../test-support/browser.js';
import { authorizeInBrowser } from '../../test-support/oauth.js';
import { startTestStack, type TestStack } from '../../test-support/stack.js';
import { HostClient, JWT_LIKE } from './host-client.js';

describe('Lab Host with challenges in tool results', () => {
  let stack: TestStack;
  before(async () => {
    stack = await startTestStack(['auth-server', 'portfolio-api', 'mcp-server', 'host'], { MCP_CHALLENGE_IN_TOOL_RESULT: 'true' });
  });
  after(() => stack.cleanup());

  it('turns _meta["mcp/www_authenticate"] into a sign-in, then returns the portfolio', async () => {
    const host = new HostClient(stack.config.hostApp.publicUrl);
    const first = await host.callTool('get_portfolio');
    assert.equal(first.status, 'sign_in_required', JSON.stringify(first));
    assert.equal(new URL(first.authorizationUrl).searchParams.get('scope'), 'portfolio:read');
    const { redirect } = await authorizeInBrowser(new FormBrowser(), first.authorizationUrl, `${stack.config.hostApp.publicUrl}/oauth/callback`);
    assert.match((await host.callback(redirect.href)).text, /Signed in/);
    const retried = await host.callTool('get_portfolio');
    assert.equal(retried.status, 'ok', JSON.stringify(retried));
    assert.equal(retried.result.structuredContent.owner, 'alice@demo.example');

    const buy = await host.callTool('buy_stock', { symbol: 'ACME', quantity: 1 });
    assert.equal(buy.status, 'sign_in_required', 'step-up from the tool result too');
    assert.equal(buy.reason, 'step_up');
    for (const body of host.bodies) assert.doesNotMatch(body, JWT_LIKE);
  });
});
