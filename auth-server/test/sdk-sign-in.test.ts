// The official MCP SDK client registers (DCR and CIMD), the user signs in with an inbox code and
// consents on the real pages, and the token it receives has the claims of DESIGN.md.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { auth } from '@modelcontextprotocol/sdk/client/auth.js';
import { FormBrowser } from '../../test-support/browser.js';
import { authorizeInBrowser } from '../../test-support/oauth.js';
import { decodeJwt, MemoryOAuthProvider } from '../../test-support/sdk-client.js';
import { freePort, startTestStack, type TestStack } from '../../test-support/stack.js';

describe('MCP SDK client against the authorization server', () => {
  let stack: TestStack;
  before(async () => {
    stack = await startTestStack();
  });
  after(() => stack.cleanup());

  async function signInWithSdk(provider: MemoryOAuthProvider, scope?: string) {
    const serverUrl = stack.config.auth.publicUrl;
    assert.equal(await auth(provider, { serverUrl, scope }), 'REDIRECT');
    assert.ok(provider.authorizationUrl, 'the SDK asked to open the authorization URL');
    const outcome = await authorizeInBrowser(new FormBrowser(), provider.authorizationUrl!.href, provider.redirectUri);
    assert.equal(outcome.redirect.searchParams.get('iss'), serverUrl, 'authorization response carries iss (RFC 9207)');
    assert.ok(outcome.code);
    assert.equal(await auth(provider, { serverUrl, authorizationCode: outcome.code }), 'AUTHORIZED');
    return { tokens: provider.savedTokens!, outcome };
  }

  it('registers by DCR, signs in, consents and receives an MCP token with the designed claims', async () => {
    const provider = new MemoryOAuthProvider(undefined, { scope: 'portfolio:read' });
    const { tokens, outcome } = await signInWithSdk(provider, 'portfolio:read');
    const clientId = provider.info!.client_id;

    assert.match(outcome.consentPage!, /SDK test agent/, 'consent names the agent');
    assert.match(outcome.consentPage!, /AI agent/, 'consent marks it as an AI agent');
    assert.match(outcome.consentPage!, /See your holdings/, 'consent explains the scope in plain words');
    assert.match(outcome.consentPage!, /act on your behalf through the <strong>Portfolio MCP server/);
    assert.doesNotMatch(outcome.consentPage!, /may_act|client_assurance_level/, 'internal claims stay hidden');

    assert.equal(tokens.refresh_token, undefined, 'no refresh tokens for MCP hosts');
    const { header, payload } = decodeJwt(tokens.access_token);
    assert.equal(header.typ, 'at+jwt');
    assert.equal(header.alg, 'ES256');
    assert.equal(payload.iss, stack.config.auth.publicUrl);
    assert.equal(payload.aud, stack.config.mcpResource);
    assert.equal(payload.sub, 'alice@demo.example');
    assert.equal(payload.client_id, clientId);
    assert.equal(payload.scope, 'portfolio:read');
    assert.equal(payload.region, 'USA');
    assert.equal(payload.client_type, 'mcp');
    assert.equal(payload.client_assurance_level, 1);
    assert.deepEqual(payload.act, { sub: clientId });
    assert.deepEqual(payload.may_act, { sub: 'mcp-server' });
    assert.equal(payload.exp - payload.iat, 900, 'policy sets 900 s access tokens');
  });

  it('is not capped by the scope it registered with: it can step up to portfolio:trade later', async () => {
    const provider = new MemoryOAuthProvider(undefined, { scope: 'portfolio:read' });
    await signInWithSdk(provider, 'portfolio:read');
    provider.savedTokens = undefined;
    const { tokens } = await signInWithSdk(provider, 'portfolio:read portfolio:trade');
    assert.equal(decodeJwt(tokens.access_token).payload.scope, 'portfolio:read portfolio:trade');
  });

  it('uses a Client ID Metadata Document served on localhost as its client_id', async () => {
    const port = await freePort();
    const clientId = `http://127.0.0.1:${port}/oauth/client.json`;
    const redirectUri = `http://127.0.0.1:${port}/callback`;
    const server = http.createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({
        client_id: clientId, client_name: 'CIMD test agent', redirect_uris: [redirectUri],
        grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'none',
      }));
    });
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    try {
      const provider = new MemoryOAuthProvider(redirectUri, {}, clientId);
      const { tokens, outcome } = await signInWithSdk(provider);
      assert.match(outcome.consentPage!, /CIMD test agent/);
      const { payload } = decodeJwt(tokens.access_token);
      assert.equal(payload.client_id, clientId);
      assert.equal(payload.scope, 'portfolio:read', 'no scope requested: the resource default applies');
      assert.equal(payload.client_type, 'mcp');
    } finally {
      server.close();
    }
  });
});
