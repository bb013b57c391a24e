// Client ID Metadata Documents: every document the server must not trust is refused at the authorization
// endpoint with an error page (never a redirect to a URI it could not vouch for), and nothing is stored.
// The successful localhost flow is covered in sdk-sign-in.test.ts.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { FormBrowser } from '../../test-support/browser.js';
import { freePort, startTestStack, type TestStack } from '../../test-support/stack.js';
import { tokenRequest } from '../../test-support/tokens.js';

type Route = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** a local web server publishing client metadata documents, one per path */
async function documentServer() {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const routes = new Map<string, Route>();
  const hits = new Map<string, number>();
  const server = http.createServer((req, res) => {
    hits.set(req.url!, (hits.get(req.url!) ?? 0) + 1);
    const route = routes.get(req.url!);
    if (!route) {
      res.statusCode = 404;
      res.end('not found');
      return;
    }
    route(req, res);
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return {
    origin,
    hits,
    /** publishes `doc` (an object is sent as JSON, with its client_id defaulting to its own URL) */
    publish(p: string, doc: Record<string, unknown> | string, status = 200): string {
      const url = `${origin}${p}`;
      const body = typeof doc === 'string' ? doc : JSON.stringify({ client_id: url, ...doc });
      routes.set(p, (_req, res) => {
        res.statusCode = status;
        res.setHeader('content-type', typeof doc === 'string' ? 'text/plain' : 'application/json');
        res.end(body);
      });
      return url;
    },
    route(p: string, handler: Route): string {
      routes.set(p, handler);
      return `${origin}${p}`;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const challenge = crypto.createHash('sha256').update('v'.repeat(43)).digest('base64url');

function authorizeUrl(stack: TestStack, clientId: string, redirectUri: string): string {
  const url = new URL(`${stack.config.auth.publicUrl}/auth`);
  url.search = new URLSearchParams({
    client_id: clientId, response_type: 'code', redirect_uri: redirectUri, scope: 'portfolio:read',
    resource: stack.config.mcpResource, code_challenge: challenge, code_challenge_method: 'S256', state: 's1',
  }).toString();
  return url.href;
}

async function authorize(stack: TestStack, clientId: string, redirectUri: string) {
  const res = await fetch(authorizeUrl(stack, clientId, redirectUri), { redirect: 'manual', headers: { accept: 'text/html' } });
  return { status: res.status, location: res.headers.get('location'), type: res.headers.get('content-type'), text: await res.text() };
}

describe('client ID metadata documents', () => {
  let stack: TestStack;
  let docs: Awaited<ReturnType<typeof documentServer>>;
  let db: Database.Database;
  let redirectUri: string;
  const base = () => ({
    client_name: 'CIMD agent', redirect_uris: [redirectUri], grant_types: ['authorization_code'],
    response_types: ['code'], token_endpoint_auth_method: 'none',
  });
  const clientRows = () => db.prepare(`SELECT COUNT(*) FROM oidc WHERE model = 'Client'`).pluck().get() as number;

  before(async () => {
    [stack, docs] = await Promise.all([startTestStack(), documentServer()]);
    redirectUri = `${docs.origin}/callback`;
    db = new Database(path.join(stack.dataDir, 'auth.db'), { readonly: true, fileMustExist: true });
  });
  after(async () => {
    db.close();
    await Promise.all([stack.cleanup(), docs.close()]);
  });

  /** the authorization endpoint answers an HTML error page with `error`, does not redirect, stores nothing */
  async function refusedAtAuthorize(clientId: string, error: string, description?: RegExp) {
    const before = clientRows();
    const res = await authorize(stack, clientId, redirectUri);
    assert.equal(res.status, 400, res.text.slice(0, 500));
    assert.equal(res.location, null, 'never redirects for a client it could not verify');
    assert.match(res.type ?? '', /text\/html/);
    assert.match(res.text, new RegExp(`<strong>${error}</strong>`));
    if (description) assert.match(res.text, description);
    assert.equal(clientRows(), before, 'nothing stored');
    return res;
  }

  it('a valid document reaches the sign-in page (control for the refusals below)', async () => {
    const url = docs.publish('/good/client.json', base());
    const page = await new FormBrowser().get(authorizeUrl(stack, url, redirectUri));
    assert.equal(page.status, 200);
    assert.match(page.text, /CIMD agent<\/strong> wants to access your portfolio/);
    assert.equal(clientRows(), 0, 'a CIMD client is resolved from its document, never registered');
  });

  it('refuses a document whose client_id differs from its URL (invalid_client)', async () => {
    const url = docs.publish('/mismatch/client.json', { ...base(), client_id: `${docs.origin}/other/client.json` });
    await refusedAtAuthorize(url, 'invalid_client', /client_id does not match/);
  });

  it('refuses a document that is not JSON (invalid_client)', async () => {
    const url = docs.publish('/text/client.json', '<html>hello</html>');
    await refusedAtAuthorize(url, 'invalid_client', /not JSON/);
  });

  it('refuses a JSON document that is not an object (invalid_client)', async () => {
    const url = docs.route('/array/client.json', (_q, res) => res.end(JSON.stringify([1, 2])));
    await refusedAtAuthorize(url, 'invalid_client', /not a JSON object/);
  });

  it('refuses a document over 5 KiB (invalid_client)', async () => {
    const url = docs.publish('/big/client.json', { ...base(), client_name: 'x'.repeat(6 * 1024) });
    await refusedAtAuthorize(url, 'invalid_client', /too large/);
  });

  it('refuses a document carrying a client_secret (invalid_client)', async () => {
    const url = docs.publish('/secret/client.json', { ...base(), client_secret: 'shared-secret' });
    await refusedAtAuthorize(url, 'invalid_client', /shared secret/);
  });

  it('refuses a document using client_secret_basic (invalid_client)', async () => {
    const url = docs.publish('/basic/client.json', { ...base(), token_endpoint_auth_method: 'client_secret_basic' });
    await refusedAtAuthorize(url, 'invalid_client', /shared secret/);
  });

  it('refuses a document without redirect_uris (invalid_client)', async () => {
    const { redirect_uris: _none, ...rest } = base();
    await refusedAtAuthorize(docs.publish('/noredirect/client.json', rest), 'invalid_client', /no redirect_uris/);
    await refusedAtAuthorize(docs.publish('/emptyredirect/client.json', { ...rest, redirect_uris: [] }), 'invalid_client', /no redirect_uris/);
  });

  it('refuses a document URL that answers 404 (invalid_client)', async () => {
    await refusedAtAuthorize(`${docs.origin}/gone/client.json`, 'invalid_client', /could not be fetched/);
    assert.ok(docs.hits.get('/gone/client.json'), 'the document was really asked for');
  });

  it('refuses a document URL that redirects (invalid_client)', async () => {
    const target = docs.publish('/moved-to/client.json', base());
    const url = docs.route('/moved/client.json', (_q, res) => {
      res.statusCode = 302;
      res.setHeader('location', target);
      res.end();
    });
    await refusedAtAuthorize(url, 'invalid_client', /could not be fetched/);
  });

  it('refuses an http client_id on a non-loopback host without fetching it (invalid_client)', async () => {
    await refusedAtAuthorize('http://agent.example/oauth/client.json', 'invalid_client');
  });

  it('refuses client_id URLs of the wrong shape without fetching them (invalid_client)', async () => {
    const port = new URL(docs.origin).port;
    // each document claims the dot-segment URL it would be fetched by, so only the URL check can refuse it
    const dotted = ['/x/../dot1/client.json', '/x/%2e%2e/dot2/client.json', '/./dot3/client.json'].map((p) => `${docs.origin}${p}`);
    for (const id of dotted) docs.publish(new URL(id).pathname, { ...base(), client_id: id });
    const before = docs.hits.size;
    for (const id of dotted) await refusedAtAuthorize(id, 'invalid_client');
    await refusedAtAuthorize(`${docs.origin}/`, 'invalid_client');
    await refusedAtAuthorize(`http://user:pw@127.0.0.1:${port}/good/client.json`, 'invalid_client');
    await refusedAtAuthorize(`${docs.origin}/good/client.json#frag`, 'invalid_client');
    assert.equal(docs.hits.size, before, 'none of them was fetched');
  });

  it('refuses, by policy, a document whose redirect URI is plain http on a non-loopback host', async () => {
    const url = docs.publish('/httpredirect/client.json', { ...base(), redirect_uris: ['http://agent.example/callback'] });
    const res = await authorize(stack, url, 'http://agent.example/callback');
    assert.equal(res.status, 400);
    assert.equal(res.location, null, 'the browser is not sent to the plain http URI');
    assert.match(res.text, /<strong>invalid_redirect_uri<\/strong>/);
    assert.match(res.text, /must use https/);
  });

  it('refuses, by policy, a document asking for a grant MCP hosts may not have (invalid_client_metadata)', async () => {
    const url = docs.publish('/cc/client.json', { ...base(), grant_types: ['authorization_code', 'client_credentials'] });
    await refusedAtAuthorize(url, 'invalid_client_metadata', /client_credentials/);
  });

  it('does not let a document choose its policy: naming mcp-server gets it no API tokens', async () => {
    // a public-key client (no shared secret) that claims the MCP server's policy and grants
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    const url = docs.publish('/forged/client.json', {
      client_name: 'Portfolio MCP server', registration_policy: 'mcp-server', client_type: 'service', client_assurance_level: 3,
      grant_types: ['client_credentials'], response_types: [], redirect_uris: [redirectUri],
      token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'ES256', jwks: { keys: [jwk] },
    });
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer(url).setSubject(url).setAudience(`${stack.config.auth.publicUrl}/token`)
      .setJti(crypto.randomUUID()).setIssuedAt().setExpirationTime('1m')
      .sign(privateKey);
    const res = await tokenRequest(stack.config, {
      grant_type: 'client_credentials', resource: stack.config.apiResource, scope: 'portfolio:read trades:write',
      client_id: url, client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion,
    });
    assert.notEqual(res.status, 200, 'no API token for a self-described client');
    assert.equal(res.body.access_token, undefined);
    assert.equal(res.body.error, 'invalid_client_metadata');
  });
});

describe('client ID metadata documents outside local mode', () => {
  let stack: TestStack;
  let docs: Awaited<ReturnType<typeof documentServer>>;
  before(async () => {
    [stack, docs] = await Promise.all([startTestStack(['auth-server'], { LOCAL_MODE: 'false' }), documentServer()]);
  });
  after(async () => {
    await Promise.all([stack.cleanup(), docs.close()]);
  });

  it('refuses an http://127.0.0.1 document without fetching it (invalid_client)', async () => {
    const redirectUri = `${docs.origin}/callback`;
    const url = docs.publish('/client.json', {
      client_name: 'Local agent', redirect_uris: [redirectUri], grant_types: ['authorization_code'],
      response_types: ['code'], token_endpoint_auth_method: 'none',
    });
    const res = await authorize(stack, url, redirectUri);
    assert.equal(res.status, 400);
    assert.equal(res.location, null);
    assert.match(res.text, /<strong>invalid_client<\/strong>/);
    assert.equal(docs.hits.get('/client.json'), undefined, 'no request went to the document');
  });

  it('refuses https documents on loopback or private addresses without connecting (SSRF)', async () => {
    let connections = 0;
    const tcp = net.createServer((socket) => {
      connections++;
      socket.destroy();
    });
    const port = await freePort();
    await new Promise<void>((r) => tcp.listen(port, '127.0.0.1', r));
    try {
      for (const host of ['127.0.0.1', 'localhost', '[::1]', '10.1.2.3', '169.254.169.254']) {
        const res = await authorize(stack, `https://${host}:${port}/client.json`, 'https://agent.example/callback');
        assert.equal(res.status, 400, host);
        assert.match(res.text, /<strong>invalid_client<\/strong>/, host);
        assert.match(res.text, /not a public address/, host);
      }
      assert.equal(connections, 0, 'no connection was attempted');
    } finally {
      tcp.close();
    }
  });

  it('refuses an http://localhost document too', async () => {
    const url = `http://localhost:${new URL(docs.origin).port}/client.json`;
    const res = await authorize(stack, url, `${docs.origin}/callback`);
    assert.equal(res.status, 400);
    assert.match(res.text, /<strong>invalid_client<\/strong>/);
  });
});
