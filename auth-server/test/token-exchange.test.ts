// RFC 8693 token exchange as the MCP server uses it: alice's MCP token (from the real sign-in and
// consent pages) becomes an API token with the nested act chain, mapped scopes and a capped expiry;
// and every refusal a client can run into answers with its HTTP status and exact OAuth error code.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, generateKeyPair, jwtVerify, SignJWT, type JSONWebKeySet } from 'jose';
import { defaultPolicyFile } from '../registration/policies.js';
import { FormBrowser, formActions } from '../../test-support/browser.js';
import { latestCode } from '../../test-support/oauth.js';
import { decodeJwt } from '../../test-support/sdk-client.js';
import { startTestStack, type TestStack } from '../../test-support/stack.js';
import {
  ACCESS_TOKEN_TYPE, basicAuth, exchangeToken, registerClient, TOKEN_EXCHANGE, tokenRequest, userMcpToken, type RegisteredClient,
} from '../../test-support/tokens.js';

const ALICE = 'alice@demo.example';
const now = () => Math.floor(Date.now() / 1000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const scopeSet = (scope: string) => new Set(scope.split(' '));

type TokenAnswer = Awaited<ReturnType<typeof tokenRequest>>;

function assertRefused(res: TokenAnswer, status: number, error: string, description?: RegExp) {
  assert.equal(res.status, status, `expected ${status} ${error}, got ${res.status} ${JSON.stringify(res.body)}`);
  assert.equal(res.body.error, error, JSON.stringify(res.body));
  assert.equal(res.body.access_token, undefined);
  if (description) assert.match(res.body.error_description, description);
}

function mcpServerAuth(stack: TestStack) {
  return basicAuth('mcp-server', stack.config.mcpServerClientSecret);
}

/** the mcp-server client's exchange with exactly these form fields (no defaults added) */
function rawExchange(stack: TestStack, form: Record<string, string>, authorization = mcpServerAuth(stack)) {
  return tokenRequest(stack.config, { grant_type: TOKEN_EXCHANGE, ...form }, authorization);
}

async function mcpServerClientCredentials(stack: TestStack) {
  const res = await tokenRequest(stack.config, {
    grant_type: 'client_credentials', resource: stack.config.apiResource, scope: 'portfolio:read',
  }, mcpServerAuth(stack));
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.access_token as string;
}

/** a copy of the registration policy file, changed by `edit`, in its own temp folder */
function policyFileCopy(edit: (rules: any[]) => void): { file: string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-auth-lab-policy-'));
  const doc = JSON.parse(fs.readFileSync(defaultPolicyFile, 'utf8'));
  edit(doc.rules);
  const file = path.join(dir, 'registration.json');
  fs.writeFileSync(file, JSON.stringify(doc));
  return { file, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** the user signs in on /account and presses Remove on the agent's row: the grant is revoked */
async function removeAgentOnAccountPage(stack: TestStack, email: string, clientId: string) {
  const issuer = stack.config.auth.publicUrl;
  const browser = new FormBrowser();
  await browser.post(`${issuer}/account/email`, { email });
  await browser.post(`${issuer}/account/login`, { email, code: await latestCode(issuer, email) });
  const page = await browser.get(`${issuer}/account`);
  const row = page.text.split('<tr>').find((r) => r.includes(`>${clientId}<`));
  assert.ok(row, 'the account page lists the agent');
  const [remove] = formActions(row!);
  const done = await browser.post(`${issuer}${remove}`, {});
  assert.match(done.text, /Agent removed/);
  assert.ok(!done.text.includes(`>${clientId}<`), 'the agent is gone from the account page');
}

// the three stacks run side by side (the expiry test waits); tests within one stack run in order
describe('token exchange (RFC 8693)', { concurrency: true }, () => {
  describe('with the default policies', { concurrency: false }, () => {
    let stack: TestStack;
    let jwks: ReturnType<typeof createLocalJWKSet>;
    let trader: { accessToken: string; client: RegisteredClient };
    let reader: { accessToken: string; client: RegisteredClient };

    before(async () => {
      stack = await startTestStack();
      const res = await fetch(`${stack.config.auth.publicUrl}/jwks`);
      jwks = createLocalJWKSet((await res.json()) as JSONWebKeySet);
      trader = await userMcpToken(stack.config, { scope: 'portfolio:read portfolio:trade' });
      reader = await userMcpToken(stack.config, { scope: 'portfolio:read' });
    });
    after(() => stack.cleanup());

    it('turns alice\'s MCP token into an API token for mcp-server with the nested act chain', async () => {
      const subject = decodeJwt(trader.accessToken).payload;
      const res = await exchangeToken(stack.config, trader.accessToken);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.issued_token_type, ACCESS_TOKEN_TYPE);
      assert.equal(res.body.token_type, 'Bearer');
      assert.deepEqual(scopeSet(res.body.scope), new Set(['portfolio:read', 'trades:write']), 'portfolio:trade maps to trades:write + portfolio:read');

      // the API verifies it against the published keys, as a resource server would
      const { payload, protectedHeader } = await jwtVerify(res.body.access_token, jwks, {
        issuer: stack.config.auth.publicUrl, audience: stack.config.apiResource, typ: 'at+jwt', algorithms: ['ES256'],
      });
      assert.equal(protectedHeader.typ, 'at+jwt');
      assert.equal(protectedHeader.alg, 'ES256');
      assert.equal(payload.aud, stack.config.apiResource);
      assert.equal(payload.sub, ALICE);
      assert.equal(payload.client_id, 'mcp-server');
      assert.deepEqual(payload.act, { sub: 'mcp-server', act: { sub: trader.client.client_id } });
      assert.equal(payload.may_act, undefined, 'an API token names nobody who may exchange it further');
      assert.equal(payload.client_type, 'mcp', 'the agent\'s type comes from the subject token, not from mcp-server');
      assert.equal(payload.client_assurance_level, 1);
      assert.equal(payload.region, 'USA');
      assert.deepEqual(scopeSet(String(payload.scope)), scopeSet(res.body.scope));
      assert.notEqual(payload.jti, subject.jti);

      assert.equal(typeof res.body.expires_in, 'number');
      assert.ok(res.body.expires_in > 0 && res.body.expires_in <= 300, `mcp-server policy: at most 300 s, got ${res.body.expires_in}`);
      assert.ok(Math.abs(payload.exp! - payload.iat! - res.body.expires_in) <= 1, 'expires_in matches the token (iat may tick over)');
      assert.ok(payload.exp! <= subject.exp, 'never outlives the subject token');
    });

    it('narrows to the requested scope, and accepts audience in place of resource', async () => {
      const narrowed = await exchangeToken(stack.config, trader.accessToken, { scope: 'portfolio:read' });
      assert.equal(narrowed.status, 200, JSON.stringify(narrowed.body));
      assert.equal(narrowed.body.scope, 'portfolio:read');
      assert.equal(decodeJwt(narrowed.body.access_token).payload.scope, 'portfolio:read');

      const byAudience = await rawExchange(stack, {
        subject_token: trader.accessToken, subject_token_type: ACCESS_TOKEN_TYPE, audience: stack.config.apiResource, scope: 'trades:write',
      });
      assert.equal(byAudience.status, 200, JSON.stringify(byAudience.body));
      assert.equal(byAudience.body.scope, 'trades:write');
      assert.equal(decodeJwt(byAudience.body.access_token).payload.aud, stack.config.apiResource);
    });

    it('defaults to the API when no resource is named, and accepts the jwt token type', async () => {
      const res = await rawExchange(stack, { subject_token: reader.accessToken, subject_token_type: 'urn:ietf:params:oauth:token-type:jwt' });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(decodeJwt(res.body.access_token).payload.aud, stack.config.apiResource);
      assert.equal(res.body.scope, 'portfolio:read', 'a read-only subject yields a read-only API token');
    });

    it('accepts an actor_token whose subject is the authenticated client', async () => {
      const actorToken = await mcpServerClientCredentials(stack);
      const res = await exchangeToken(stack.config, reader.accessToken, { actor_token: actorToken, actor_token_type: ACCESS_TOKEN_TYPE });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(decodeJwt(res.body.access_token).payload.act, { sub: 'mcp-server', act: { sub: reader.client.client_id } });
    });

    it('refuses scopes beyond the subject token, unknown scopes and MCP-only scopes: invalid_scope', async () => {
      assertRefused(await exchangeToken(stack.config, reader.accessToken, { scope: 'trades:write' }), 400, 'invalid_scope', /trades:write/);
      assertRefused(await exchangeToken(stack.config, reader.accessToken, { scope: 'portfolio:read trades:write' }), 400, 'invalid_scope');
      assertRefused(await exchangeToken(stack.config, trader.accessToken, { scope: 'admin' }), 400, 'invalid_scope', /admin/);
      assertRefused(await exchangeToken(stack.config, trader.accessToken, { scope: 'portfolio:trade' }), 400, 'invalid_scope');
      assertRefused(await exchangeToken(stack.config, trader.accessToken, { scope: 'transaction_7f3c' }), 400, 'invalid_scope',
        /transaction_7f3c/);
    });

    it('refuses a target outside mcp-server\'s policy: invalid_target', async () => {
      const { config } = stack;
      assertRefused(await exchangeToken(config, trader.accessToken, { resource: config.mcpResource }), 400, 'invalid_target');
      assertRefused(await exchangeToken(config, trader.accessToken, { resource: 'http://evil.example' }), 400, 'invalid_target');
      const evilAudience = await rawExchange(stack, { subject_token: trader.accessToken, subject_token_type: ACCESS_TOKEN_TYPE, audience: 'http://evil.example' });
      assertRefused(evilAudience, 400, 'invalid_target');
      // an allowed resource does not launder a disallowed audience
      assertRefused(await exchangeToken(config, trader.accessToken, { audience: 'http://evil.example' }), 400, 'invalid_target');
    });

    it('refuses a subject token that names no may_act (API tokens, exchanged tokens): invalid_grant', async () => {
      const clientToken = await mcpServerClientCredentials(stack);
      assert.equal(decodeJwt(clientToken).payload.may_act, undefined);
      assertRefused(await exchangeToken(stack.config, clientToken), 400, 'invalid_grant', /audience/);

      const exchanged = await exchangeToken(stack.config, trader.accessToken);
      assert.equal(exchanged.status, 200);
      assertRefused(await exchangeToken(stack.config, exchanged.body.access_token), 400, 'invalid_grant', /audience/);
    });

    it('refuses an actor_token whose subject is not the authenticated client: invalid_grant', async () => {
      // alice's MCP token is ours and valid, but its subject is alice, not mcp-server
      const res = await exchangeToken(stack.config, reader.accessToken, { actor_token: trader.accessToken, actor_token_type: ACCESS_TOKEN_TYPE });
      assertRefused(res, 400, 'invalid_grant', /actor_token/);
      const garbage = await exchangeToken(stack.config, reader.accessToken, { actor_token: 'abc', actor_token_type: ACCESS_TOKEN_TYPE });
      assertRefused(garbage, 400, 'invalid_grant', /actor_token/);
      const exchanged = await exchangeToken(stack.config, trader.accessToken);
      const apiToken = await exchangeToken(stack.config, reader.accessToken, { actor_token: exchanged.body.access_token, actor_token_type: ACCESS_TOKEN_TYPE });
      assertRefused(apiToken, 400, 'invalid_grant', /actor_token/);
    });

    it('refuses a token signed by someone else, even with our claims and kid: invalid_grant', async () => {
      const { header, payload } = decodeJwt(trader.accessToken);
      const { privateKey } = await generateKeyPair('ES256');
      const forge = (kid: string) => new SignJWT(payload).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid }).sign(privateKey);
      assertRefused(await exchangeToken(stack.config, await forge(header.kid)), 400, 'invalid_grant', /signature/);
      assertRefused(await exchangeToken(stack.config, await forge('attacker-key')), 400, 'invalid_grant', /key/);
    });

    it('refuses malformed tokens: invalid_grant', async () => {
      const [h, p, s] = trader.accessToken.split('.');
      const header = decodeJwt(trader.accessToken).header;
      const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const cases: Record<string, string> = {
        'not a JWT': 'abc',
        'alg none': `${b64({ ...header, alg: 'none' })}.${p}.`,
        'typ JWT': `${b64({ ...header, typ: 'JWT' })}.${p}.${s}`,
        'payload edited': `${h}.${b64({ ...decodeJwt(trader.accessToken).payload, sub: 'bob@demo.example' })}.${s}`,
        'JSON garbage': `${b64({ alg: 'ES256' })}.bm90IGpzb24.${s}`,
      };
      for (const [name, token] of Object.entries(cases)) {
        const res = await exchangeToken(stack.config, token);
        assert.equal(res.status, 400, `${name}: ${JSON.stringify(res.body)}`);
        assert.equal(res.body.error, 'invalid_grant', `${name}: ${JSON.stringify(res.body)}`);
      }
    });

    it('refuses malformed requests: invalid_request', async () => {
      const token = trader.accessToken;
      const api = stack.config.apiResource;
      assertRefused(await rawExchange(stack, { subject_token_type: ACCESS_TOKEN_TYPE, resource: api }), 400, 'invalid_request', /subject_token/);
      assertRefused(await rawExchange(stack, { subject_token: token, resource: api }), 400, 'invalid_request', /subject_token_type/);
      assertRefused(await rawExchange(stack, { subject_token: token, subject_token_type: 'urn:ietf:params:oauth:token-type:id_token', resource: api }),
        400, 'invalid_request', /subject_token_type/);
      assertRefused(await exchangeToken(stack.config, token, { requested_token_type: 'urn:ietf:params:oauth:token-type:refresh_token' }),
        400, 'invalid_request', /requested/);
      assertRefused(await exchangeToken(stack.config, token, { actor_token_type: ACCESS_TOKEN_TYPE }), 400, 'invalid_request', /actor_token/);
      assertRefused(await exchangeToken(stack.config, token, { actor_token: token }), 400, 'invalid_request', /actor_token_type/);
      const ok = await exchangeToken(stack.config, token, { requested_token_type: ACCESS_TOKEN_TYPE });
      assert.equal(ok.status, 200, 'asking explicitly for an access token is fine');
    });

    it('refuses a wrong client secret or no client authentication: 401 invalid_client', async () => {
      const form = { subject_token: trader.accessToken, subject_token_type: ACCESS_TOKEN_TYPE, resource: stack.config.apiResource };
      assertRefused(await rawExchange(stack, form, basicAuth('mcp-server', 'wrong-secret')), 401, 'invalid_client');
      const anonymous = await tokenRequest(stack.config, { grant_type: TOKEN_EXCHANGE, client_id: 'mcp-server', ...form });
      assertRefused(anonymous, 401, 'invalid_client');
    });

    it('refuses the grant to an MCP host client: unauthorized_client', async () => {
      const { client } = trader;
      const res = await rawExchange(stack, {
        subject_token: trader.accessToken, subject_token_type: ACCESS_TOKEN_TYPE, resource: stack.config.apiResource,
      }, basicAuth(client.client_id, client.client_secret!));
      assertRefused(res, 400, 'unauthorized_client');
    });

    it('refuses a subject token whose grant the user removed on the account page, also after a restart: invalid_grant', async () => {
      const agent = await userMcpToken(stack.config, { scope: 'portfolio:read portfolio:trade' });
      const before = await exchangeToken(stack.config, agent.accessToken);
      assert.equal(before.status, 200, JSON.stringify(before.body));
      const otherBefore = await exchangeToken(stack.config, reader.accessToken);
      assert.equal(otherBefore.status, 200);

      await removeAgentOnAccountPage(stack, ALICE, agent.client.client_id);

      assertRefused(await exchangeToken(stack.config, agent.accessToken), 400, 'invalid_grant', /revoked/);
      const other = await exchangeToken(stack.config, reader.accessToken);
      assert.equal(other.status, 200, 'the user\'s other agents keep working');

      await stack.restart();
      assertRefused(await exchangeToken(stack.config, agent.accessToken), 400, 'invalid_grant', /revoked/);
      assert.equal((await exchangeToken(stack.config, reader.accessToken)).status, 200);
    });

    it('gives mcp-server API tokens by client_credentials, and advertises the endpoints a client needs', async () => {
      const { payload } = decodeJwt(await mcpServerClientCredentials(stack));
      assert.equal(payload.aud, stack.config.apiResource);
      assert.equal(payload.client_id, 'mcp-server');
      assert.equal(payload.sub, 'mcp-server');
      assert.equal(payload.scope, 'portfolio:read');
      assert.equal(payload.may_act, undefined);

      const res = await fetch(`${stack.config.auth.publicUrl}/.well-known/oauth-authorization-server`);
      const meta = (await res.json()) as Record<string, any>;
      assert.equal(meta.introspection_endpoint, `${stack.config.auth.publicUrl}/token/introspection`);
      assert.equal(meta.revocation_endpoint, `${stack.config.auth.publicUrl}/token/revocation`);
      assert.ok(meta.grant_types_supported.includes(TOKEN_EXCHANGE));
      assert.ok(meta.grant_types_supported.includes('client_credentials'));
    });
  });

  describe('with short-lived MCP tokens and extra clients (policy file)', { concurrency: false }, () => {
    const TTL = 3;
    let stack: TestStack;
    let policy: ReturnType<typeof policyFileCopy>;
    let shortLived: string;
    before(async () => {
      policy = policyFileCopy((rules) => {
        rules.find((r) => r.name === 'mcp-host').set.access_token_ttl = TTL;
        const base = rules.find((r) => r.name === 'mcp-server').set;
        // a second backend allowed token exchange (clients asking for trades:write land here)
        rules.push({
          name: 'other-exchanger', description: 'test', match: { arrived_by: ['dynamic'], scopes_within: ['trades:write'] },
          set: { ...base, display_name: '{client_name}' },
        });
        // a client that can get MCP-audience tokens without a user (so without may_act)
        rules.push({
          name: 'mcp-robot', description: 'test', match: { arrived_by: ['dynamic'], scopes_within: ['profile'] },
          set: { ...base, grant_types: ['client_credentials'], audiences: ['{mcp_resource}'], scopes: ['portfolio:read'] },
        });
      });
      stack = await startTestStack(['auth-server'], { REGISTRATION_POLICY_FILE: policy.file });
      shortLived = (await userMcpToken(stack.config, { scope: 'portfolio:read' })).accessToken;
    });
    after(async () => {
      await stack.cleanup();
      policy.remove();
    });

    it('caps the exchanged token at the subject token\'s expiry', async () => {
      const subject = decodeJwt(shortLived).payload;
      assert.equal(subject.exp - subject.iat, TTL, 'the policy file is in effect');
      const res = await exchangeToken(stack.config, shortLived);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const { payload } = decodeJwt(res.body.access_token);
      assert.ok(payload.exp <= subject.exp, `exchanged exp ${payload.exp} > subject exp ${subject.exp}`);
      assert.ok(res.body.expires_in >= 1 && res.body.expires_in <= TTL, `expires_in ${res.body.expires_in}`);
    });

    it('refuses a client that the subject token\'s may_act does not name: invalid_grant', async () => {
      const { accessToken } = await userMcpToken(stack.config, { scope: 'portfolio:read portfolio:trade' });
      const other = await registerClient(stack.config, {
        client_name: 'Other backend', scope: 'trades:write', grant_types: [TOKEN_EXCHANGE], redirect_uris: [], response_types: [],
      });
      const form = { subject_token: accessToken, subject_token_type: ACCESS_TOKEN_TYPE, resource: stack.config.apiResource };
      const res = await rawExchange(stack, form, basicAuth(other.client_id, other.client_secret!));
      assertRefused(res, 400, 'invalid_grant', /may_act/);
      assert.equal((await exchangeToken(stack.config, accessToken)).status, 200, 'the client may_act names still can');
    });

    it('refuses an MCP-audience token that carries no may_act: invalid_grant', async () => {
      const robot = await registerClient(stack.config, {
        client_name: 'Robot', scope: 'profile', grant_types: ['client_credentials'], redirect_uris: [], response_types: [],
      });
      const cc = await tokenRequest(stack.config, {
        grant_type: 'client_credentials', resource: stack.config.mcpResource, scope: 'portfolio:read',
      }, basicAuth(robot.client_id, robot.client_secret!));
      assert.equal(cc.status, 200, JSON.stringify(cc.body));
      const { payload } = decodeJwt(cc.body.access_token);
      assert.equal(payload.aud, stack.config.mcpResource);
      assert.equal(payload.may_act, undefined);
      assertRefused(await exchangeToken(stack.config, cc.body.access_token), 400, 'invalid_grant', /may_act/);
    });

    // last in this suite, so the tests above use up part of the wait
    it('refuses the subject token once it has expired: invalid_grant', async () => {
      const { exp } = decodeJwt(shortLived).payload;
      await sleep(exp * 1000 - Date.now() + 50);
      assert.ok(now() >= exp);
      assertRefused(await exchangeToken(stack.config, shortLived), 400, 'invalid_grant', /expired/);
    });
  });

  describe('with TOKEN_EXCHANGE_MAX_CHAIN_DEPTH=1', { concurrency: false }, () => {
    let stack: TestStack;
    before(async () => {
      stack = await startTestStack(['auth-server'], { TOKEN_EXCHANGE_MAX_CHAIN_DEPTH: '1' });
    });
    after(() => stack.cleanup());

    it('refuses an exchange whose act chain (mcp-server, then the host) would be 2 deep: invalid_grant', async () => {
      const { accessToken } = await userMcpToken(stack.config);
      assertRefused(await exchangeToken(stack.config, accessToken), 400, 'invalid_grant', /chain/);
    });
  });
});
