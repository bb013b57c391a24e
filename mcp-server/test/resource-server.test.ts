// The MCP server as a resource server: metadata, challenges, and a refusal for every bad token.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { forgeToken, unsignedToken } from '../../test-support/forge.js';
import { startTestStack, type TestStack } from '../../test-support/stack.js';
import { userMcpToken } from '../../test-support/tokens.js';

const rpc = (method: string, params: unknown = {}, id = 1) => ({ jsonrpc: '2.0', id, method, params });
const callTool = (name: string, args: Record<string, unknown> = {}) => rpc('tools/call', { name, arguments: args });

describe('MCP server as a protected resource', () => {
  let stack: TestStack;
  let mcp: string;
  let readToken: string;
  before(async () => {
    stack = await startTestStack(['auth-server', 'mcp-server']);
    mcp = stack.config.mcpResource;
    readToken = (await userMcpToken(stack.config, { scope: 'portfolio:read' })).accessToken;
  });
  after(() => stack.cleanup());

  const post = (body: unknown, token?: string, raw?: string) => fetch(mcp, {
    method: 'POST',
    headers: {
      'content-type': 'application/json', accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2025-06-18', ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: raw ?? JSON.stringify(body),
  });

  const goodClaims = () => ({
    iss: stack.config.auth.publicUrl, aud: mcp, sub: 'alice@demo.example', client_id: 'some-agent', scope: 'portfolio:read',
  });

  it('publishes protected resource metadata (RFC 9728) at both well-known paths', async () => {
    for (const p of ['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource']) {
      const res = await fetch(`${stack.config.mcp.publicUrl}${p}`);
      assert.equal(res.status, 200);
      const prm = await res.json();
      assert.equal(prm.resource, mcp);
      assert.ok(!prm.resource.endsWith('/'));
      assert.deepEqual(prm.authorization_servers, [stack.config.auth.publicUrl]);
      assert.deepEqual(prm.scopes_supported, ['portfolio:read']);
      assert.deepEqual(prm.bearer_methods_supported, ['header']);
      assert.ok(prm.resource_name);
    }
  });

  it('a protected tool without a token gets 401 with resource_metadata and scope', async () => {
    const res = await post(callTool('get_portfolio'));
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('www-authenticate'),
      `Bearer resource_metadata="${stack.config.mcp.publicUrl}/.well-known/oauth-protected-resource/mcp", scope="portfolio:read"`);
  });

  it('initialize and tools/list work without a token', async () => {
    const init = await post(rpc('initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } }));
    assert.equal(init.status, 200);
    assert.equal((await init.json()).result.serverInfo.name, 'portfolio-mcp');
    const list = await post(rpc('tools/list'));
    assert.equal(list.status, 200);
    const tools = new Map<string, any>((await list.json()).result.tools.map((t: any) => [t.name, t]));
    assert.equal(tools.size, 5);
    assert.deepEqual(tools.get('search_stocks').securitySchemes, [{ type: 'noauth' }]);
    assert.deepEqual(tools.get('get_portfolio').securitySchemes, [{ type: 'oauth2', scopes: ['portfolio:read'] }]);
    assert.deepEqual(tools.get('sell_stock').securitySchemes, [{ type: 'oauth2', scopes: ['portfolio:read', 'portfolio:trade'] }]);
    assert.equal(tools.get('continue_authorization')._meta['openai/widgetAccessible'], true);
    assert.equal(tools.get('buy_stock').inputSchema.type, 'object');
    assert.equal(tools.get('buy_stock').outputSchema.type, 'object');
  });

  it('a read-only token calling buy_stock gets 403 insufficient_scope naming every needed scope', async () => {
    const res = await post(callTool('buy_stock', { symbol: 'ACME', quantity: 1 }), readToken);
    assert.equal(res.status, 403);
    const header = res.headers.get('www-authenticate')!;
    assert.match(header, /error="insufficient_scope"/);
    assert.match(header, /scope="portfolio:read portfolio:trade"/);
    assert.match(header, /resource_metadata="/);
  });

  const badTokens: [string, () => Promise<string>][] = [
    ['tampered signature', async () => { const [h, , s] = readToken.split('.'); return `${h}.${Buffer.from(JSON.stringify({ ...goodClaims(), scope: 'portfolio:read portfolio:trade' })).toString('base64url')}.${s}`; }],
    ['signed by a foreign key', () => forgeToken(stack.dataDir, goodClaims(), { foreignKey: true })],
    ['wrong issuer', () => forgeToken(stack.dataDir, { ...goodClaims(), iss: 'http://evil.example' })],
    ['audience of the API (not this resource)', () => forgeToken(stack.dataDir, { ...goodClaims(), aud: stack.config.apiResource })],
    ['audience with a trailing slash', () => forgeToken(stack.dataDir, { ...goodClaims(), aud: `${mcp}/` })],
    ['two audiences', () => forgeToken(stack.dataDir, { ...goodClaims(), aud: [mcp, stack.config.apiResource] })],
    ['expired', () => forgeToken(stack.dataDir, { ...goodClaims(), iat: 1000, exp: 2000 })],
    ['typ JWT instead of at+jwt', () => forgeToken(stack.dataDir, goodClaims(), { typ: 'JWT' })],
    ['RS256 (off the allow-list, though signed by our own RSA key)', () => forgeToken(stack.dataDir, goodClaims(), { alg: 'RS256' })],
    ['alg none', async () => unsignedToken(goodClaims())],
    ['not a JWT', async () => 'not-a-jwt'],
  ];
  for (const [name, make] of badTokens) {
    it(`refuses a token that is ${name}: 401 invalid_token, even for a public method`, async () => {
      const token = await make();
      for (const body of [callTool('get_portfolio'), rpc('tools/list')]) {
        const res = await post(body, token);
        assert.equal(res.status, 401);
        assert.match(res.headers.get('www-authenticate')!, /^Bearer resource_metadata="[^"]+", error="invalid_token", error_description="[^"]+"$/);
        assert.equal((await res.json()).error, 'invalid_token');
      }
    });
  }

  it('a well-formed forged-claims token from our key still works (the checks above are the only difference)', async () => {
    const res = await post(rpc('tools/list'), await forgeToken(stack.dataDir, goodClaims()));
    assert.equal(res.status, 200);
  });

  it('answers bad input with clear errors and keeps running', async () => {
    const notJson = await post(undefined, undefined, '{"jsonrpc":');
    assert.equal(notJson.status, 400);
    assert.equal((await notJson.json()).error.code, -32700);
    const huge = await post(undefined, undefined, JSON.stringify({ pad: 'x'.repeat(300 * 1024) }));
    assert.equal(huge.status, 413);
    const get = await fetch(mcp);
    assert.equal(get.status, 405);
    const basic = await fetch(mcp, { method: 'POST', headers: { authorization: 'Basic abc', 'content-type': 'application/json' }, body: '{}' });
    assert.equal(basic.status, 400);
    assert.match(basic.headers.get('www-authenticate')!, /error="invalid_request"/);

    // a client that aborts mid-body must not take the server down
    const { port } = new URL(mcp);
    await new Promise<void>((resolve) => {
      const socket = net.connect(Number(port), '127.0.0.1', () => {
        socket.write('POST /mcp HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"jsonrpc"');
        setTimeout(() => { socket.destroy(); resolve(); }, 50);
      });
    });
    const still = await post(rpc('tools/list'));
    assert.equal(still.status, 200);
  });

  it('an unknown tool or bad arguments are tool errors with a human message', async () => {
    const unknown = await (await post(callTool('rm_rf'))).json();
    assert.equal(unknown.result.isError, true);
    assert.match(unknown.result.content[0].text, /Unknown tool/);
  });
});

describe('MCP server in ChatGPT mode (challenge in the tool result)', () => {
  let stack: TestStack;
  before(async () => {
    stack = await startTestStack(['auth-server', 'mcp-server'], { MCP_CHALLENGE_IN_TOOL_RESULT: 'true' });
  });
  after(() => stack.cleanup());

  it('answers a protected call without a token with an error result carrying mcp/www_authenticate', async () => {
    const res = await fetch(stack.config.mcpResource, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify(callTool('get_portfolio')),
    });
    assert.equal(res.status, 200);
    const { result } = await res.json();
    assert.equal(result.isError, true);
    assert.deepEqual(result._meta['mcp/www_authenticate'],
      [`Bearer resource_metadata="${stack.config.mcp.publicUrl}/.well-known/oauth-protected-resource/mcp", scope="portfolio:read"`]);
  });

  it('still answers an invalid token with HTTP 401', async () => {
    const res = await fetch(stack.config.mcpResource, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: 'Bearer x.y.z' },
      body: JSON.stringify(callTool('get_portfolio')),
    });
    assert.equal(res.status, 401);
  });
});
