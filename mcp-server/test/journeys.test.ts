// DESIGN.md journeys 1-3 with the official MCP SDK client against the real auth server, MCP server
// and portfolio API: public search, sign-in on first protected call, step-up for trading.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import path from 'node:path';
import { callToolSignedIn, connectMcp, type SignInLog } from '../../test-support/mcp.js';
import { decodeJwt, MemoryOAuthProvider } from '../../test-support/sdk-client.js';
import { startTestStack, type TestStack } from '../../test-support/stack.js';

describe('journeys 1-3 with the MCP SDK client', () => {
  let stack: TestStack;
  let mcpUrl: string;
  before(async () => {
    stack = await startTestStack(['auth-server', 'portfolio-api', 'mcp-server']);
    mcpUrl = stack.config.mcpResource;
  });
  after(() => stack.cleanup());

  it('journey 1: anyone can list tools and search stocks without a token', async () => {
    const { client } = await connectMcp(mcpUrl);
    try {
      const { tools } = await client.listTools();
      const byName = new Map(tools.map((t) => [t.name, t as any]));
      assert.deepEqual([...byName.keys()].sort(), ['buy_stock', 'continue_authorization', 'get_portfolio', 'search_stocks', 'sell_stock']);
      // the SDK keeps _meta (top-level securitySchemes are checked on the raw answer in resource-server.test)
      assert.deepEqual(byName.get('search_stocks')._meta.securitySchemes, [{ type: 'noauth' }]);
      assert.deepEqual(byName.get('get_portfolio')._meta.securitySchemes, [{ type: 'oauth2', scopes: ['portfolio:read'] }]);
      assert.deepEqual(byName.get('buy_stock')._meta.securitySchemes, [{ type: 'oauth2', scopes: ['portfolio:read', 'portfolio:trade'] }]);
      assert.equal(byName.get('get_portfolio').annotations.readOnlyHint, true);
      assert.equal(byName.get('buy_stock').annotations.readOnlyHint, false);

      const result: any = await client.callTool({ name: 'search_stocks', arguments: { query: 'ACME' } });
      assert.equal(result.isError, undefined);
      assert.equal(result.structuredContent.quotes[0].symbol, 'ACME');
    } finally {
      await client.close();
    }
  });

  it('journeys 2 and 3: sign in on get_portfolio, step up on buy_stock, the trade executes', async () => {
    const provider = new MemoryOAuthProvider();
    const log: SignInLog = { authorizations: 0 };

    const portfolio: any = await callToolSignedIn(mcpUrl, provider, 'get_portfolio', {}, { log });
    assert.equal(log.authorizations, 1, 'signed in once');
    assert.equal(portfolio.isError, undefined, JSON.stringify(portfolio.content));
    assert.equal(portfolio.structuredContent.owner, 'alice@demo.example');
    assert.ok(portfolio.structuredContent.holdings.every((h: any) => h.currency === 'USD'), 'only the user region');
    const readToken = decodeJwt(provider.savedTokens!.access_token).payload;
    assert.equal(readToken.scope, 'portfolio:read');
    assert.equal(readToken.aud, mcpUrl);

    const before = portfolio.structuredContent;
    const acmeBefore = before.holdings.find((h: any) => h.symbol === 'ACME')?.quantity ?? 0;
    const bought: any = await callToolSignedIn(mcpUrl, provider, 'buy_stock', { symbol: 'ACME', quantity: 1 }, { log });
    assert.equal(log.authorizations, 2, 'the 403 step-up re-authorized exactly once');
    assert.equal(bought.isError, undefined, JSON.stringify(bought.content));
    assert.equal(bought.structuredContent.status, 'executed');
    assert.equal(decodeJwt(provider.savedTokens!.access_token).payload.scope, 'portfolio:read portfolio:trade');
    const after = bought.structuredContent.portfolio;
    assert.equal(after.holdings.find((h: any) => h.symbol === 'ACME').quantity, acmeBefore + 1);
    assert.ok(Math.abs(after.cash.amount - (before.cash.amount - bought.structuredContent.trade.total)) < 0.005, 'cash went down by the total');

    // the API token the MCP server used carried the nested delegation chain (read from the audit log)
    const db = new Database(path.join(stack.dataDir, 'mcp.db'), { readonly: true });
    const row = db.prepare(`SELECT api_act, act, sub, client_id FROM audit WHERE tool = 'buy_stock' AND outcome = 'ok'`).get() as any;
    db.close();
    const clientId = provider.info!.client_id;
    assert.deepEqual(JSON.parse(row.api_act), { sub: 'mcp-server', act: { sub: clientId } });
    assert.deepEqual(JSON.parse(row.act), { sub: clientId });
    assert.equal(row.sub, 'alice@demo.example');
    assert.equal(row.client_id, clientId);
  });
});
