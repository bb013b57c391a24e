// Dynamic Client Registration (RFC 7591) under the registration policies: every refusal carries the
// standard error code and stores nothing; an admitted client gets what its policy decides, whatever it asked.
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { purgeIdleClients } from '../registration/purge.js';
import { FormBrowser } from '../../test-support/browser.js';
import { decodeJwt } from '../../test-support/sdk-client.js';
import { startTestStack, type TestStack } from '../../test-support/stack.js';
import { basicAuth, registerClient, tokenRequest, userMcpToken } from '../../test-support/tokens.js';

const REDIRECT = 'http://127.0.0.1:1/callback';
const valid = {
  client_name: 'Registration test agent',
  redirect_uris: [REDIRECT],
  grant_types: ['authorization_code'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_post',
};

async function register(stack: TestStack, metadata: Record<string, unknown>) {
  const res = await fetch(`${stack.config.auth.publicUrl}/reg`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(metadata),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, any> };
}

/** POSTs a body written in chunks without content-length (Transfer-Encoding: chunked) */
function postChunked(url: string, chunks: string[]): Promise<{ status: number; body: Record<string, any> }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        req.destroy(); // the rest of the body is never sent: free the socket
        resolve({ status: res.statusCode!, body: JSON.parse(text) });
      });
    });
    req.on('error', reject);
    // the server may answer (and stop reading) before the last chunk; that is the point of the limit
    let answered = false;
    req.on('response', () => (answered = true));
    (async () => {
      for (const c of chunks) {
        if (answered || req.destroyed) return;
        req.write(c);
        await new Promise((r) => setImmediate(r));
      }
      req.end();
    })().catch(reject);
  });
}

function openStore(stack: TestStack, readonly = true) {
  return new Database(path.join(stack.dataDir, 'auth.db'), { readonly, fileMustExist: true });
}

describe('dynamic client registration', () => {
  let stack: TestStack;
  let db: Database.Database;
  const clientCount = () => (db.prepare(`SELECT COUNT(*) AS n FROM oidc WHERE model = 'Client'`).get() as { n: number }).n;

  before(async () => {
    stack = await startTestStack();
    db = openStore(stack);
  });
  after(async () => {
    db.close();
    await stack.cleanup();
  });

  /** registers, expects a refusal with `error`, and checks that no client row appeared */
  async function refused(metadata: Record<string, unknown>, error: string, status = 400) {
    const before = clientCount();
    const res = await register(stack, metadata);
    assert.equal(res.status, status, JSON.stringify(res.body));
    assert.equal(res.body.error, error, JSON.stringify(res.body));
    assert.ok(res.body.error_description, 'a refusal explains itself');
    assert.equal(res.body.client_id, undefined);
    assert.equal(clientCount(), before, 'a refused registration stores nothing');
    return res.body;
  }

  describe('refusals', () => {
    it('refuses a plain http redirect URI on a non-loopback host (invalid_redirect_uri)', async () => {
      const body = await refused({ ...valid, redirect_uris: ['http://agent.example/callback'] }, 'invalid_redirect_uri');
      assert.match(body.error_description, /https/);
    });

    it('refuses a redirect URI with a fragment (invalid_redirect_uri)', async () => {
      await refused({ ...valid, redirect_uris: ['https://agent.example/callback#done'] }, 'invalid_redirect_uri');
    });

    it('refuses a redirect URI with a wildcard (invalid_redirect_uri)', async () => {
      await refused({ ...valid, redirect_uris: ['https://*.agent.example/callback'] }, 'invalid_redirect_uri');
      await refused({ ...valid, redirect_uris: ['https://agent.example/*'] }, 'invalid_redirect_uri');
    });

    it('refuses one bad redirect URI among good ones', async () => {
      await refused({ ...valid, redirect_uris: [REDIRECT, 'http://agent.example/callback'] }, 'invalid_redirect_uri');
    });

    it('refuses an unknown scope (invalid_client_metadata)', async () => {
      const body = await refused({ ...valid, scope: 'portfolio:read admin:everything' }, 'invalid_client_metadata');
      assert.match(body.error_description, /admin:everything/);
    });

    it('refuses a known scope that no policy admits for a dynamic client (invalid_client_metadata)', async () => {
      await refused({ ...valid, scope: 'portfolio:read trades:write' }, 'invalid_client_metadata');
    });

    it('refuses the client_credentials grant for a dynamic client (invalid_client_metadata)', async () => {
      const body = await refused(
        { ...valid, grant_types: ['client_credentials'], response_types: [], redirect_uris: [] },
        'invalid_client_metadata',
      );
      assert.match(body.error_description, /client_credentials/);
      await refused({ ...valid, grant_types: ['authorization_code', 'client_credentials'] }, 'invalid_client_metadata');
    });

    it('refuses the implicit grant (invalid_client_metadata)', async () => {
      const body = await refused({ ...valid, grant_types: ['implicit'], response_types: ['id_token token'] }, 'invalid_client_metadata');
      assert.match(body.error_description, /grant type not allowed by the "mcp-host" policy: implicit/);
    });

    it('refuses the token exchange grant for a dynamic client (invalid_client_metadata)', async () => {
      const body = await refused(
        { ...valid, grant_types: ['authorization_code', 'urn:ietf:params:oauth:grant-type:token-exchange'] },
        'invalid_client_metadata',
      );
      assert.match(body.error_description, /not allowed by the "mcp-host" policy/);
    });

    it('does not let a client pick its own policy, type or assurance level', async () => {
      const forged = { registration_policy: 'mcp-server', client_type: 'service', client_assurance_level: 3, display_name: 'Portfolio MCP server' };
      // asking for the MCP server's grants under its policy name is still refused
      await refused(
        { ...valid, ...forged, grant_types: ['client_credentials'], response_types: [], redirect_uris: [], token_endpoint_auth_method: 'client_secret_basic' },
        'invalid_client_metadata',
      );
      // an otherwise ordinary registration gets the policy that matches it, not the one it named
      const res = await register(stack, { ...valid, ...forged });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.equal(res.body.registration_policy, 'mcp-host');
      assert.equal(res.body.client_type, 'mcp');
      assert.equal(res.body.client_assurance_level, 1);
      assert.equal(res.body.display_name, valid.client_name);
    });

    it('refuses a body over 16 KiB with 413 invalid_client_metadata (content-length)', async () => {
      const before = clientCount();
      const big = JSON.stringify({ ...valid, client_name: 'x'.repeat(17 * 1024) });
      const res = await fetch(`${stack.config.auth.publicUrl}/reg`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: big,
      });
      assert.equal(res.status, 413);
      assert.equal(((await res.json()) as any).error, 'invalid_client_metadata');
      assert.equal(clientCount(), before);
    });

    it('refuses a body over 16 KiB with 413 invalid_client_metadata (chunked, no length)', async () => {
      const before = clientCount();
      const big = JSON.stringify({ ...valid, client_name: 'x'.repeat(17 * 1024) });
      const chunks = big.match(/[\s\S]{1,1024}/g)!;
      const res = await postChunked(`${stack.config.auth.publicUrl}/reg`, chunks);
      assert.equal(res.status, 413);
      assert.equal(res.body.error, 'invalid_client_metadata');
      assert.equal(clientCount(), before);
    });

    it('accepts a small chunked body (the limit reads it, oidc-provider still parses it)', async () => {
      const before = clientCount();
      const body = JSON.stringify(valid);
      const res = await postChunked(`${stack.config.auth.publicUrl}/reg`, [body.slice(0, 40), body.slice(40)]);
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.equal(res.body.client_type, 'mcp');
      assert.equal(clientCount(), before + 1);
    });

    it('applies the size limit to every spelling of the registration path', async () => {
      const before = clientCount();
      const big = JSON.stringify({ ...valid, client_name: 'x'.repeat(17 * 1024) });
      for (const p of ['/reg/', '/REG', '/Reg/']) {
        const res = await postChunked(`${stack.config.auth.publicUrl}${p}`, big.match(/[\s\S]{1,1024}/g)!);
        assert.equal(res.status, 413, p);
        assert.equal(res.body.error, 'invalid_client_metadata');
      }
      assert.equal(clientCount(), before);
    });

    it('refuses a body that is not JSON (invalid_request), storing nothing', async () => {
      const before = clientCount();
      const res = await fetch(`${stack.config.auth.publicUrl}/reg`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"client_name":',
      });
      assert.equal(res.status, 400);
      assert.equal(((await res.json()) as any).error, 'invalid_request');
      assert.equal(clientCount(), before);
    });
  });

  describe('admitted clients', () => {
    it('gets what the mcp-host policy sets, not what it asked for', async () => {
      const before = clientCount();
      const res = await register(stack, {
        ...valid, scope: 'portfolio:read', grant_types: ['authorization_code', 'refresh_token'],
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const c = res.body;
      assert.ok(c.client_id && c.client_secret);
      assert.equal(c.scope, 'portfolio:read portfolio:trade', 'the registered scope never caps the client below its policy');
      assert.deepEqual(c.grant_types, ['authorization_code'], 'refresh_token is dropped: the policy has refresh tokens off');
      assert.equal(c.registration_policy, 'mcp-host');
      assert.equal(c.client_type, 'mcp');
      assert.equal(c.client_assurance_level, 1);
      assert.equal(c.display_name, 'Registration test agent');
      assert.equal(clientCount(), before + 1);

      const row = db.prepare(`SELECT payload FROM oidc WHERE model = 'Client' AND id = ?`).get(c.client_id) as { payload: string };
      const stored = JSON.parse(row.payload);
      assert.equal(stored.scope, 'portfolio:read portfolio:trade');
      assert.deepEqual(stored.grant_types, ['authorization_code']);
      assert.equal(stored.client_type, 'mcp');
    });

    it('names a client without client_name by its client_id', async () => {
      const { client_name: _omit, ...nameless } = valid;
      const res = await register(stack, nameless);
      assert.equal(res.status, 201);
      assert.equal(res.body.display_name, res.body.client_id);
    });

    it('shows a client name with replacement patterns as written', async () => {
      const res = await register(stack, { ...valid, client_name: 'Cash $& Carry {client_id}' });
      assert.equal(res.status, 201);
      assert.equal(res.body.display_name, 'Cash $& Carry {client_id}');
    });

    it('accepts a private-use scheme redirect URI for a native app (RFC 8252)', async () => {
      const res = await register(stack, { ...valid, application_type: 'native', redirect_uris: ['com.example.agent:/callback'] });
      assert.equal(res.status, 201, JSON.stringify(res.body));
    });

    it('cannot use the refresh_token grant it asked for', async () => {
      const client = await registerClient(stack.config, { grant_types: ['authorization_code', 'refresh_token'] });
      const { accessToken } = await userMcpToken(stack.config, { client });
      assert.equal(decodeJwt(accessToken).payload.client_type, 'mcp');
      // grant_types held no refresh_token, so the refresh grant is unauthorized for this client
      const res = await tokenRequest(stack.config, { grant_type: 'refresh_token', refresh_token: 'anything' }, basicAuth(client.client_id, client.client_secret!));
      assert.equal(res.status, 400);
      assert.equal(res.body.error, 'unauthorized_client');
    });
  });

  describe('the static mcp-server client', () => {
    const ccToken = (resource: string) => tokenRequest(stack.config, {
      grant_type: 'client_credentials', resource, scope: 'portfolio:read',
    }, basicAuth('mcp-server', stack.config.mcpServerClientSecret));

    it('gets the mcp-server policy: service type, assurance 3, API audience, 300 s tokens', async () => {
      const res = await ccToken(stack.config.apiResource);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const { payload } = decodeJwt(res.body.access_token);
      assert.equal(payload.aud, stack.config.apiResource);
      assert.equal(payload.client_id, 'mcp-server');
      assert.equal(payload.client_type, 'service');
      assert.equal(payload.client_assurance_level, 3);
      assert.equal(payload.exp - payload.iat, 300);
    });

    it('may not get tokens for the MCP resource (invalid_target)', async () => {
      const res = await ccToken(stack.config.mcpResource);
      assert.equal(res.status, 400);
      assert.equal(res.body.error, 'invalid_target');
    });
  });

  describe('idle dynamic clients', () => {
    it('are purged with their grants; active clients stay', async () => {
      const { client: idle } = await userMcpToken(stack.config);
      const { client: active } = await userMcpToken(stack.config);
      const grantsOf = (clientId: string) => (db.prepare(
        `SELECT COUNT(*) AS n FROM oidc WHERE model = 'Grant' AND json_extract(payload, '$.clientId') = ?`,
      ).get(clientId) as { n: number }).n;
      assert.equal(grantsOf(idle.client_id), 1);

      const rw = openStore(stack, false);
      try {
        const longAgo = Math.floor(Date.now() / 1000) - 40 * 86400;
        rw.prepare('UPDATE client_usage SET last_used_at = ? WHERE client_id = ?').run(longAgo, idle.client_id);
        rw.prepare(`UPDATE oidc SET payload = json_set(payload, '$.client_id_issued_at', ?) WHERE model = 'Client' AND id = ?`)
          .run(longAgo, idle.client_id);
        assert.equal(purgeIdleClients(rw, 30), 1, 'only the idle client goes');
      } finally {
        rw.close();
      }

      assert.equal(db.prepare(`SELECT COUNT(*) AS n FROM oidc WHERE model = 'Client' AND id = ?`).pluck().get(idle.client_id), 0);
      assert.equal(grantsOf(idle.client_id), 0, 'its grants went with it');
      assert.equal(grantsOf(active.client_id), 1);

      // the purged client can no longer authenticate; the active one can
      const probe = (c: { client_id: string; client_secret?: string }) => tokenRequest(stack.config, {
        grant_type: 'authorization_code', code: 'not-a-code', redirect_uri: REDIRECT, code_verifier: 'x'.repeat(43),
      }, basicAuth(c.client_id, c.client_secret!));
      assert.equal((await probe(idle)).body.error, 'invalid_client');
      assert.equal((await probe(active)).body.error, 'invalid_grant');

      // and the user's account page no longer lists it
      const browser = new FormBrowser();
      const issuer = stack.config.auth.publicUrl;
      await browser.post(`${issuer}/account/email`, { email: 'alice@demo.example' });
      const code = ((await (await fetch(`${issuer}/mail?format=json&to=alice@demo.example`)).json()) as any).messages[0].code;
      const page = await browser.post(`${issuer}/account/login`, { email: 'alice@demo.example', code });
      assert.match(page.text, new RegExp(active.client_id));
      assert.doesNotMatch(page.text, new RegExp(idle.client_id));
    });
  });
});

describe('registration rate limit', () => {
  let stack: TestStack;
  before(async () => {
    stack = await startTestStack(['auth-server'], { REGISTRATION_RATE_LIMIT: '3' });
  });
  after(() => stack.cleanup());

  it('answers 429 after 3 registrations a minute from one address, storing nothing', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await register(stack, valid)).status, 201);
    const db = openStore(stack);
    try {
      const count = () => db.prepare(`SELECT COUNT(*) FROM oidc WHERE model = 'Client'`).pluck().get();
      assert.equal(count(), 3);
      const res = await register(stack, valid);
      assert.equal(res.status, 429);
      assert.equal(res.body.error, 'temporarily_unavailable');
      assert.ok(Number(res.headers.get('retry-after')) > 0, 'says when to retry');
      // oversized bodies count too, and are refused by the limit before their size is looked at
      const big = await fetch(`${stack.config.auth.publicUrl}/reg`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(20_000),
      });
      assert.equal(big.status, 429);
      // oidc-provider routes /REG and /reg/ to the same endpoint: they are limited too
      for (const p of ['/reg/', '/REG', '/Reg/']) {
        const other = await fetch(`${stack.config.auth.publicUrl}${p}`, {
          method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(valid),
        });
        assert.equal(other.status, 429, p);
      }
      assert.equal(count(), 3);
    } finally {
      db.close();
    }
  });

  it('counts by the address the nearest proxy saw, not the one the client claims', async () => {
    const from = (forwardedFor: string) => fetch(`${stack.config.auth.publicUrl}/reg`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor }, body: JSON.stringify(valid),
    });
    // a local tunnel appends the real peer (198.51.100.7); the client wrote the left-most entries itself
    for (let i = 0; i < 3; i++) assert.equal((await from(`203.0.113.${i}, 198.51.100.7`)).status, 201);
    assert.equal((await from('203.0.113.99, 198.51.100.7')).status, 429);
    assert.equal((await from('198.51.100.8')).status, 201, 'another client behind the tunnel has its own count');
  });
});
