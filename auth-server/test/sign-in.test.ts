// Sign-in with emailed one-time codes, consent, the authorization request rules, the account page,
// the inbox, discovery, and what survives a restart - all through the real pages and endpoints.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { FormBrowser, formActions, type Response } from '../../test-support/browser.js';
import { authorizeInBrowser, latestCode } from '../../test-support/oauth.js';
import { decodeJwt } from '../../test-support/sdk-client.js';
import { startTestStack, type TestStack } from '../../test-support/stack.js';
import { basicAuth, registerClient, tokenRequest, userMcpToken, type RegisteredClient } from '../../test-support/tokens.js';

const ALICE = 'alice@demo.example';
const BOB = 'bob@demo.example';

describe('sign-in, consent and the account page', () => {
  let stack: TestStack;
  let db: Database.Database;
  let issuer: string;

  before(async () => {
    stack = await startTestStack();
    issuer = stack.config.auth.publicUrl;
    db = new Database(path.join(stack.dataDir, 'auth.db'), { fileMustExist: true });
  });
  after(async () => {
    db.close();
    await stack.cleanup();
  });

  const grantRows = (clientId: string) => db.prepare(
    `SELECT COUNT(*) FROM oidc WHERE model = 'Grant' AND json_extract(payload, '$.clientId') = ?`,
  ).pluck().get(clientId) as number;
  const mailCount = (to: string) => db.prepare('SELECT COUNT(*) FROM mail WHERE "to" = ?').pluck().get(to) as number;

  function pkce() {
    const verifier = crypto.randomBytes(32).toString('base64url');
    return { verifier, challenge: crypto.createHash('sha256').update(verifier).digest('base64url') };
  }

  /** an authorization URL for `client`; a param set to undefined is left out */
  function authUrl(client: RegisteredClient, params: Record<string, string | undefined> = {}): string {
    const all: Record<string, string | undefined> = {
      client_id: client.client_id, response_type: 'code', redirect_uri: client.redirect_uri, scope: 'portfolio:read',
      resource: stack.config.mcpResource, code_challenge: pkce().challenge, code_challenge_method: 'S256', state: 'st8',
      ...params,
    };
    const url = new URL(`${issuer}/auth`);
    for (const [k, v] of Object.entries(all)) if (v !== undefined) url.searchParams.set(k, v);
    return url.href;
  }

  const atClient = (client: RegisteredClient) => (u: string) => u.startsWith(client.redirect_uri);

  /** opens the authorization URL in `browser` and returns the sign-in page and its interaction path */
  async function openSignIn(browser: FormBrowser, client: RegisteredClient, params: Record<string, string | undefined> = {}) {
    const page = await browser.get(authUrl(client, params), atClient(client));
    assert.equal(page.status, 200, page.text.slice(0, 300));
    const base = formActions(page.text)[0].replace(/\/email$/, '');
    assert.match(base, /^\/interaction\/[^/]+$/);
    return { page, base };
  }

  async function sendCode(browser: FormBrowser, base: string, email: string) {
    const page = await browser.post(`${issuer}${base}/email`, { email });
    assert.match(page.text, /name="code"/, 'the code form is shown');
    return latestCode(issuer, email);
  }

  const login = (browser: FormBrowser, base: string, email: string, code: string, client?: RegisteredClient) =>
    browser.post(`${issuer}${base}/login`, { email, code }, client && atClient(client));

  const alertOf = (page: Response) => /role="alert">([^<]*)</.exec(page.text)?.[1];

  async function redeem(client: RegisteredClient, code: string, verifier: string) {
    return tokenRequest(stack.config, {
      grant_type: 'authorization_code', code, redirect_uri: client.redirect_uri, code_verifier: verifier,
    }, basicAuth(client.client_id, client.client_secret!));
  }

  describe('one-time codes', () => {
    it('voids a code after 5 wrong tries: the right code then fails too, a new code works', async () => {
      const client = await registerClient(stack.config);
      const browser = new FormBrowser();
      const { base } = await openSignIn(browser, client);
      const right = await sendCode(browser, base, BOB);
      const wrong = right === '000000' ? '111111' : '000000';

      for (let i = 1; i <= 4; i++) {
        const page = await login(browser, base, BOB, wrong);
        assert.equal(page.status, 200);
        assert.match(alertOf(page)!, /That code is not right/, `try ${i}`);
      }
      const fifth = await login(browser, base, BOB, wrong);
      assert.match(alertOf(fifth)!, /Too many wrong tries \(5\): this code no longer works/);

      const late = await login(browser, base, BOB, right, client);
      assert.equal(late.location, undefined, 'not signed in');
      assert.match(alertOf(late)!, /Too many wrong tries/);

      const fresh = await sendCode(browser, base, BOB);
      const consent = await login(browser, base, BOB, fresh, client);
      assert.ok(formActions(consent.text).some((a) => a.endsWith('/confirm')), 'a new code signs in and reaches consent');
    });

    it('refuses an expired code', async () => {
      const client = await registerClient(stack.config);
      const browser = new FormBrowser();
      const { base } = await openSignIn(browser, client);
      const code = await sendCode(browser, base, BOB);
      db.prepare('UPDATE login_codes SET expires_at = ? WHERE email = ?').run(Date.now() - 1000, BOB);
      const page = await login(browser, base, BOB, code, client);
      assert.equal(page.location, undefined);
      assert.match(alertOf(page)!, /That code has expired\. Send a new one\./);
    });

    it('accepts a code once only', async () => {
      const client = await registerClient(stack.config);
      const first = new FormBrowser();
      const { base } = await openSignIn(first, client);
      const code = await sendCode(first, base, BOB);
      assert.ok(formActions((await login(first, base, BOB, code, client)).text).some((a) => a.endsWith('/confirm')));
      const second = new FormBrowser();
      const other = await openSignIn(second, client);
      const replay = await login(second, other.base, BOB, code, client);
      assert.match(alertOf(replay)!, /No code was sent to this address yet/);
    });

    it('tells the user clearly when the email has no account, and sends nothing', async () => {
      const client = await registerClient(stack.config);
      const browser = new FormBrowser();
      const { base } = await openSignIn(browser, client);
      const page = await browser.post(`${issuer}${base}/email`, { email: 'mallory@evil.example' });
      assert.equal(page.status, 200);
      assert.match(alertOf(page)!, /There is no account with that email\. Use one of the demo users\./);
      assert.doesNotMatch(page.text, /name="code"/);
      assert.equal(mailCount('mallory@evil.example'), 0);
      const guess = await login(browser, base, 'mallory@evil.example', '123456', client);
      assert.match(alertOf(guess)!, /Unknown account/);
    });
  });

  describe('consent', () => {
    it('Deny sends the user back with error=access_denied and iss, and stores no grant', async () => {
      const client = await registerClient(stack.config);
      const out = await authorizeInBrowser(new FormBrowser(), authUrl(client), client.redirect_uri, { consent: 'deny' });
      assert.ok(out.consentPage, 'consent was asked');
      assert.equal(out.redirect.searchParams.get('error'), 'access_denied');
      assert.equal(out.redirect.searchParams.get('iss'), issuer);
      assert.equal(out.redirect.searchParams.get('state'), 'st8');
      assert.equal(out.code, undefined);
      assert.equal(grantRows(client.client_id), 0);
    });

    it('Cancel on the sign-in page sends the user back with error=access_denied', async () => {
      const client = await registerClient(stack.config);
      const browser = new FormBrowser();
      const { base } = await openSignIn(browser, client);
      const res = await browser.post(`${issuer}${base}/abort`, {}, atClient(client));
      const back = new URL(res.location!);
      assert.equal(back.searchParams.get('error'), 'access_denied');
      assert.equal(back.searchParams.get('iss'), issuer);
    });

    it('is remembered: a new browser session signs in again but is not asked again', async () => {
      const client = await registerClient(stack.config);
      const first = await authorizeInBrowser(new FormBrowser(), authUrl(client), client.redirect_uri);
      assert.ok(first.consentPage && first.code);

      const mails = mailCount(ALICE);
      const { verifier, challenge } = pkce();
      const second = await authorizeInBrowser(new FormBrowser(), authUrl(client, { code_challenge: challenge }), client.redirect_uri);
      assert.equal(mailCount(ALICE), mails + 1, 'the new session had to sign in');
      assert.equal(second.consentPage, undefined, 'no consent page the second time');
      assert.equal(second.redirect.searchParams.get('iss'), issuer);
      const token = await redeem(client, second.code!, verifier);
      assert.equal(token.status, 200, JSON.stringify(token.body));
      assert.equal(decodeJwt(token.body.access_token).payload.scope, 'portfolio:read');
      assert.equal(grantRows(client.client_id), 1, 'one grant per user and client');

      // asking for more is asked again, for the new scope only
      const more = await authorizeInBrowser(new FormBrowser(), authUrl(client, { scope: 'portfolio:read portfolio:trade' }), client.redirect_uri);
      assert.ok(more.consentPage, 'a scope beyond the remembered consent is asked for');
      assert.match(more.consentPage!, /Buy and sell shares/);
      assert.doesNotMatch(more.consentPage!, /See your holdings/);
      assert.ok(more.code);
    });

    it('is per user: another user of the same agent is asked', async () => {
      const client = await registerClient(stack.config);
      await authorizeInBrowser(new FormBrowser(), authUrl(client), client.redirect_uri);
      const bob = await authorizeInBrowser(new FormBrowser(), authUrl(client), client.redirect_uri, { email: BOB });
      assert.ok(bob.consentPage);
      assert.match(bob.consentPage!, /Signed in as bob@demo\.example/);
    });

    it('cannot be posted before the user has signed in', async () => {
      const client = await registerClient(stack.config);
      const browser = new FormBrowser();
      const { base } = await openSignIn(browser, client);
      const res = await browser.request('POST', `${issuer}${base}/confirm`, {});
      assert.equal(res.status, 400);
      assert.match(res.text, /<strong>invalid_request<\/strong>: consent was not requested/);
      assert.equal(grantRows(client.client_id), 0);
    });

    it('shows an error page for an interaction the browser does not hold', async () => {
      const client = await registerClient(stack.config);
      const { base } = await openSignIn(new FormBrowser(), client);
      for (const res of [await new FormBrowser().get(`${issuer}${base}`), await new FormBrowser().post(`${issuer}${base}/email`, { email: ALICE })]) {
        assert.equal(res.status, 400);
        assert.match(res.text, /Something went wrong[\s\S]*<strong>invalid_request<\/strong>/);
      }
    });
  });

  describe('authorization request rules', () => {
    let client: RegisteredClient;
    before(async () => {
      client = await registerClient(stack.config);
    });

    /** the authorization endpoint's immediate answer, which must be a redirect back to the client */
    async function redirectedError(params: Record<string, string | undefined>) {
      const res = await fetch(authUrl(client, params), { redirect: 'manual' });
      assert.equal(res.status, 303);
      const back = new URL(res.headers.get('location')!);
      assert.equal(`${back.origin}${back.pathname}`, client.redirect_uri);
      assert.equal(back.searchParams.get('iss'), issuer);
      assert.equal(back.searchParams.get('state'), 'st8');
      assert.equal(back.searchParams.get('code'), null);
      return back.searchParams;
    }

    it('requires PKCE from a confidential client (invalid_request)', async () => {
      const back = await redirectedError({ code_challenge: undefined, code_challenge_method: undefined });
      assert.equal(back.get('error'), 'invalid_request');
      assert.match(back.get('error_description')!, /PKCE/);
    });

    it('refuses the plain PKCE method (invalid_request)', async () => {
      const back = await redirectedError({ code_challenge: 'p'.repeat(43), code_challenge_method: 'plain' });
      assert.equal(back.get('error'), 'invalid_request');
    });

    it('refuses an unknown resource (invalid_target)', async () => {
      assert.equal((await redirectedError({ resource: 'http://unknown.example' })).get('error'), 'invalid_target');
      assert.equal((await redirectedError({ resource: 'http://unknown.example', scope: undefined })).get('error'), 'invalid_target');
    });

    it('refuses a resource outside the client policy, such as the API (invalid_target)', async () => {
      assert.equal((await redirectedError({ resource: stack.config.apiResource })).get('error'), 'invalid_target');
    });

    it('refuses a redirect_uri the client did not register, without redirecting', async () => {
      const res = await fetch(authUrl(client, { redirect_uri: 'http://127.0.0.1:1/elsewhere' }), { redirect: 'manual' });
      assert.equal(res.status, 400);
      assert.equal(res.headers.get('location'), null);
      assert.match(await res.text(), /<strong>invalid_redirect_uri<\/strong>/);
    });

    it('grants portfolio:read for the MCP server when the request names no scope and no resource', async () => {
      const { verifier, challenge } = pkce();
      const out = await authorizeInBrowser(new FormBrowser(), authUrl(client, { scope: undefined, resource: undefined, code_challenge: challenge }), client.redirect_uri);
      assert.match(out.consentPage!, /See your holdings/);
      assert.doesNotMatch(out.consentPage!, /Buy and sell shares/);
      const token = await redeem(client, out.code!, verifier);
      assert.equal(token.status, 200, JSON.stringify(token.body));
      const { payload } = decodeJwt(token.body.access_token);
      assert.equal(payload.scope, 'portfolio:read');
      assert.equal(payload.aud, stack.config.mcpResource);
    });

    it('refuses a code redeemed with the wrong PKCE verifier (invalid_grant)', async () => {
      const { challenge } = pkce();
      const out = await authorizeInBrowser(new FormBrowser(), authUrl(client, { code_challenge: challenge }), client.redirect_uri);
      const res = await redeem(client, out.code!, pkce().verifier);
      assert.equal(res.status, 400);
      assert.equal(res.body.error, 'invalid_grant');
    });
  });

  describe('account page', () => {
    async function signInToAccount(email: string) {
      const browser = new FormBrowser();
      const first = await browser.get(`${issuer}/account`);
      assert.deepEqual(formActions(first.text), ['/account/email']);
      await browser.post(`${issuer}/account/email`, { email });
      const page = await browser.post(`${issuer}/account/login`, { email, code: await latestCode(issuer, email) });
      assert.equal(page.url, `${issuer}/account`);
      assert.match(page.text, /Connected agents/);
      return { browser, page };
    }

    const removeActionFor = (html: string, clientId: string) =>
      new RegExp(`<code class="muted">${clientId}</code>[\\s\\S]*?action="(/account/agents/[^"]+/remove)"`).exec(html)?.[1];

    it('lists the agent with its scopes, and Remove revokes its grant', async () => {
      const client = await registerClient(stack.config, { client_name: 'Account page agent' });
      await userMcpToken(stack.config, { client, scope: 'portfolio:read portfolio:trade' });
      const grantId = db.prepare(
        `SELECT id FROM oidc WHERE model = 'Grant' AND json_extract(payload, '$.clientId') = ?`,
      ).pluck().get(client.client_id) as string;

      const { browser, page } = await signInToAccount(ALICE);
      assert.match(page.text, /Account page agent<\/strong><span class="badge agent">AI agent/);
      assert.match(page.text, /See your holdings, cash balance and quotes/);
      assert.match(page.text, /Buy and sell shares for you/);
      const action = removeActionFor(page.text, client.client_id);
      assert.equal(action, `/account/agents/${encodeURIComponent(grantId)}/remove`);

      // nobody else can remove it
      const bob = await signInToAccount(BOB);
      assert.doesNotMatch(bob.page.text, new RegExp(client.client_id));
      const foreign = await bob.browser.post(`${issuer}${action}`, {});
      assert.equal(foreign.status, 404);
      const anonymous = await new FormBrowser().post(`${issuer}${action}`, {});
      assert.match(anonymous.text, /Sign in to manage your agents/);
      assert.equal(grantRows(client.client_id), 1);

      const after = await browser.post(`${issuer}${action}`, {});
      assert.equal(after.url, `${issuer}/account?notice=${encodeURIComponent('Agent removed. Its tokens no longer work.')}`);
      assert.match(after.text, /Agent removed\. Its tokens no longer work\./);
      assert.doesNotMatch(after.text, new RegExp(client.client_id), 'the agent is gone from the list');
      assert.equal(grantRows(client.client_id), 0, 'the grant row is gone');
      assert.equal(db.prepare('SELECT COUNT(*) FROM revoked_grants WHERE grant_id = ?').pluck().get(grantId), 1);

      // the remembered consent went with it
      const again = await authorizeInBrowser(new FormBrowser(), authUrl(client), client.redirect_uri);
      assert.ok(again.consentPage, 'consent is asked again after removal');
    });
  });

  describe('inbox and discovery', () => {
    it('/mail answers JSON with ?format=json, filtered by recipient', async () => {
      const browser = new FormBrowser();
      await browser.post(`${issuer}/account/email`, { email: BOB });
      const res = await fetch(`${issuer}/mail?format=json&to=${encodeURIComponent(BOB)}`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type')!, /application\/json/);
      assert.equal(res.headers.get('cache-control'), 'no-store');
      const { messages } = (await res.json()) as { messages: { to: string; subject: string; body: string; code: string }[] };
      assert.ok(messages.length >= 1);
      assert.ok(messages.every((m) => m.to === BOB));
      assert.match(messages[0].code, /^\d{6}$/);
      assert.equal(messages[0].subject, `Your sign-in code: ${messages[0].code}`);
      assert.match(messages[0].body, /Bob Bauer/);

      const html = await fetch(`${issuer}/mail`, { headers: { accept: 'text/html' } });
      assert.match(html.headers.get('content-type')!, /text\/html/);
      assert.match(await html.text(), /Local inbox/);
    });

    it('publishes the same metadata at both well-known URLs', async () => {
      const [oauth, oidc] = await Promise.all(
        ['oauth-authorization-server', 'openid-configuration'].map(async (name) => {
          const res = await fetch(`${issuer}/.well-known/${name}`);
          assert.equal(res.status, 200);
          return (await res.json()) as Record<string, any>;
        }),
      );
      assert.deepEqual(oauth, oidc);
      assert.equal(oauth.issuer, issuer);
      assert.equal(oauth.authorization_response_iss_parameter_supported, true);
      assert.equal(oauth.client_id_metadata_document_supported, true);
      assert.deepEqual(oauth.code_challenge_methods_supported, ['S256']);
      assert.equal(oauth.registration_endpoint, `${issuer}/reg`);
      assert.equal(oauth.jwks_uri, `${issuer}/jwks`);
    });
  });

  describe('restart', () => {
    it('keeps clients, grants and signing keys', async () => {
      const { accessToken, client } = await userMcpToken(stack.config);
      const jwksBefore = (await (await fetch(`${issuer}/jwks`)).json()) as JSONWebKeySet;

      await stack.restart();

      const jwksAfter = (await (await fetch(`${issuer}/jwks`)).json()) as JSONWebKeySet;
      assert.deepEqual(jwksAfter, jwksBefore);
      const { payload } = await jwtVerify(accessToken, createLocalJWKSet(jwksAfter), {
        issuer, audience: stack.config.mcpResource, typ: 'at+jwt',
      });
      assert.equal(payload.client_id, client.client_id);

      // the client still authenticates and the user's consent is still remembered
      const { verifier, challenge } = pkce();
      const out = await authorizeInBrowser(new FormBrowser(), authUrl(client, { code_challenge: challenge }), client.redirect_uri);
      assert.equal(out.consentPage, undefined, 'the grant survived');
      const token = await redeem(client, out.code!, verifier);
      assert.equal(token.status, 200, JSON.stringify(token.body));
    });
  });
});
