// The Lab Host against the real stack: it publishes a valid Client ID Metadata Document, connects and
// lists tools, turns a 401 into a sign-in URL for the popup, finishes the flow on its callback (checking
// state and iss), retries, steps up for trading, falls back to DCR, handles a denial, and never lets a
// token reach the browser.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FormBrowser } from '../../test-support/browser.js';
import { authorizeInBrowser } from '../../test-support/oauth.js';
import { startTestStack, type TestStack } from '../../test-support/stack.js';
import { HostClient, JWT_LIKE } from './host-client.js';

describe('Lab Host (MCP host playing ChatGPT)', () => {
  let stack: TestStack;
  let hostUrl: string;
  let redirectUri: string;
  const clients: HostClient[] = [];
  const newClient = () => {
    const c = new HostClient(hostUrl);
    clients.push(c);
    return c;
  };

  before(async () => {
    stack = await startTestStack(['auth-server', 'portfolio-api', 'mcp-server', 'host']);
    hostUrl = stack.config.hostApp.publicUrl;
    redirectUri = `${hostUrl}/oauth/callback`;
  });
  after(() => stack.cleanup());

  /** the user signs in (and consents) in the popup; the popup lands on the host callback */
  async function signIn(host: HostClient, authorizationUrl: string, consent: 'allow' | 'deny' = 'allow', email = 'alice@demo.example') {
    const { redirect } = await authorizeInBrowser(new FormBrowser(), authorizationUrl, redirectUri, { consent, email });
    assert.equal(`${redirect.origin}${redirect.pathname}`, redirectUri, 'the auth server sends the popup back to the host');
    return { redirect, page: await host.callback(redirect.href) };
  }

  it('publishes its Client ID Metadata Document', async () => {
    const res = await fetch(`${hostUrl}/oauth/client-metadata.json`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    const doc = await res.json();
    assert.equal(doc.client_id, `${hostUrl}/oauth/client-metadata.json`, 'client_id is the document URL');
    assert.equal(doc.client_name, 'Lab Host (ChatGPT stand-in)');
    assert.deepEqual(doc.redirect_uris, [redirectUri]);
    assert.deepEqual(doc.grant_types, ['authorization_code']);
    assert.deepEqual(doc.response_types, ['code']);
    assert.equal(doc.token_endpoint_auth_method, 'none');
    assert.equal(doc.client_secret, undefined);
  });

  it('serves the chat page and its bundle', async () => {
    const host = newClient();
    const page = await host.request('GET', '/');
    assert.equal(page.status, 200);
    assert.match(page.text, /<script type="module" src="\/assets\/host\.js">/);
    const js = await host.request('GET', '/assets/host.js');
    assert.equal(js.status, 200, 'the browser bundle is built (node scripts/build-host.mjs)');
    assert.match(js.type, /javascript/);
  });

  it('connects to the MCP server and lists its tools; public tools need no sign-in', async () => {
    const host = newClient();
    const connected = await host.api('POST', '/api/connect', { mcpUrl: stack.config.mcpResource });
    assert.equal(connected.status, 'ok', JSON.stringify(connected));
    assert.deepEqual(connected.tools.map((t: any) => t.name).sort(), ['buy_stock', 'continue_authorization', 'get_portfolio', 'search_stocks', 'sell_stock']);
    assert.equal(connected.session.connected, true);
    assert.equal(connected.session.server.name, 'portfolio-mcp');
    assert.equal(connected.session.auth.signedIn, false);

    const listed = await host.api('GET', '/api/tools');
    assert.equal(listed.tools.length, 5);

    const search = await host.callTool('search_stocks', { query: 'tech' });
    assert.equal(search.status, 'ok');
    assert.ok(search.result.structuredContent.quotes.some((q: any) => q.symbol === 'ACME'));
    assert.match(search.traceId, /^[0-9a-f]{32}$/);
  });

  it('get_portfolio: 401 -> sign-in URL (CIMD client id) -> popup callback -> the retried call returns the portfolio', async () => {
    const host = newClient();
    await host.api('POST', '/api/connect', {});
    const first = await host.callTool('get_portfolio');
    assert.equal(first.status, 'sign_in_required', JSON.stringify(first));
    assert.equal(first.reason, 'sign_in');
    const auth = new URL(first.authorizationUrl);
    assert.equal(auth.origin, stack.config.auth.publicUrl);
    assert.equal(auth.searchParams.get('client_id'), `${hostUrl}/oauth/client-metadata.json`, 'CIMD: the document URL is the client id');
    assert.equal(auth.searchParams.get('redirect_uri'), redirectUri);
    assert.equal(auth.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(auth.searchParams.get('resource'), stack.config.mcpResource);
    assert.ok(auth.searchParams.get('state'), 'the host sends a state');

    const pending = await host.api('GET', '/api/session');
    assert.equal(pending.session.auth.registration, 'cimd');
    assert.equal(pending.session.signInPending, true);

    const { redirect, page } = await signIn(host, first.authorizationUrl);
    assert.equal(redirect.searchParams.get('iss'), stack.config.auth.publicUrl);
    assert.match(page.text, /Signed in/);
    assert.match(page.text, /lab-host:oauth/, 'the popup page tells its opener');

    const retried = await host.callTool('get_portfolio', {}, { traceId: first.traceId });
    assert.equal(retried.status, 'ok', JSON.stringify(retried));
    assert.equal(retried.traceId, first.traceId, 'the retry continues the same trace');
    assert.equal(retried.result.structuredContent.owner, 'alice@demo.example');
    assert.ok(Array.isArray(retried.result.structuredContent.holdings));
    // a tool that names a widget template gets it, read with resources/read
    const tools = (await host.api('GET', '/api/tools')).tools;
    const template = tools.find((t: any) => t.name === 'get_portfolio')._meta?.['openai/outputTemplate'];
    if (template) {
      assert.equal(retried.widget.uri, template);
      assert.match(retried.widget.html, /<html|<div|<script/i);
    }

    const session = await host.api('GET', '/api/session');
    assert.equal(session.session.auth.signedIn, true);
    assert.equal(session.session.auth.user, 'alice@demo.example');
    assert.equal(session.session.auth.scope, 'portfolio:read');
    assert.equal(session.session.auth.clientId, `${hostUrl}/oauth/client-metadata.json`);

    // the flow inspector's view of that trace: the host's spans with the 401, the sign-in and decoded claims
    const flow = await host.api('GET', `/api/flow?trace_id=${first.traceId}`);
    const names = flow.spans.filter((s: any) => s.lane === 'host').map((s: any) => s.name);
    assert.ok(names.includes('tool call get_portfolio'));
    assert.ok(names.includes('authorization request (browser popup)'));
    assert.ok(names.includes('authorization response (callback)'));
    assert.ok(flow.spans.some((s: any) => s.attributes['http.status'] === 401 && s.attributes.peer === 'mcp'), 'the 401 is in the trace');
    const tokenSpan = flow.spans.find((s: any) => s.attributes['oauth.grant_type'] === 'authorization_code');
    assert.equal(tokenSpan.attributes.claims.sub, 'alice@demo.example', 'issued token shown as decoded claims');
    assert.deepEqual(tokenSpan.attributes.claims.act, { sub: `${hostUrl}/oauth/client-metadata.json` });
    assert.deepEqual(flow.sources.map((s: any) => s.lane), ['host', 'mcp', 'auth', 'api']);

    // another browser session cannot read this trace
    const stranger = newClient();
    await stranger.request('GET', '/');
    assert.equal((await stranger.api('GET', `/api/flow?trace_id=${first.traceId}`)).httpStatus, 404);
  });

  it('buy_stock with a read-only token: 403 insufficient_scope -> step-up sign-in -> the trade executes', async () => {
    const host = newClient();
    const first = await host.callTool('get_portfolio');
    await signIn(host, first.authorizationUrl);
    assert.equal((await host.callTool('get_portfolio')).status, 'ok');

    const buy = await host.callTool('buy_stock', { symbol: 'ACME', quantity: 1 });
    assert.equal(buy.status, 'sign_in_required', JSON.stringify(buy));
    assert.equal(buy.reason, 'step_up');
    assert.equal(buy.scope, 'portfolio:read portfolio:trade');
    await signIn(host, buy.authorizationUrl);
    const bought = await host.callTool('buy_stock', { symbol: 'ACME', quantity: 1 }, { traceId: buy.traceId });
    assert.equal(bought.status, 'ok', JSON.stringify(bought));
    assert.equal(bought.result.structuredContent.status, 'executed');
    assert.equal((await host.api('GET', '/api/session')).session.auth.scope, 'portfolio:read portfolio:trade');
  });

  it('falls back to Dynamic Client Registration when asked to', async () => {
    const host = newClient();
    await host.api('POST', '/api/connect', { registration: 'dcr' });
    const first = await host.callTool('get_portfolio');
    const clientId = new URL(first.authorizationUrl).searchParams.get('client_id');
    assert.ok(clientId && !clientId.startsWith('http'), 'a registered client id, not the document URL');
    await signIn(host, first.authorizationUrl);
    const session = await host.api('GET', '/api/session');
    assert.equal(session.session.auth.registration, 'dcr');
    assert.equal(session.session.auth.clientId, clientId);
    assert.equal((await host.callTool('get_portfolio')).status, 'ok');
  });

  it('a denied consent ends with a clear message and no token', async () => {
    const host = newClient();
    const first = await host.callTool('get_portfolio');
    // bob has not consented to this host yet (alice's consent is remembered from the tests above)
    const { redirect, page } = await signIn(host, first.authorizationUrl, 'deny', 'bob@demo.example');
    assert.equal(redirect.searchParams.get('error'), 'access_denied');
    assert.match(page.text, /Access denied/);
    const session = await host.api('GET', '/api/session');
    assert.equal(session.session.auth.signedIn, false);
    assert.equal((await host.callTool('get_portfolio')).status, 'sign_in_required', 'still asks to sign in');
  });

  it('refuses a callback with a wrong state or a foreign iss', async () => {
    const host = newClient();
    const first = await host.callTool('get_portfolio');
    const { redirect } = await authorizeInBrowser(new FormBrowser(), first.authorizationUrl, redirectUri);
    const forged = new URL(redirect);
    forged.searchParams.set('iss', 'http://evil.example');
    const refused = await host.callback(forged.href);
    assert.match(refused.text, /Sign-in failed/);
    assert.match(refused.text, /issuer_mismatch/);
    // the state was used up by that attempt: the genuine response is now refused too
    assert.match((await host.callback(redirect.href)).text, /no_sign_in_pending/);
    assert.equal((await host.api('GET', '/api/session')).session.auth.signedIn, false);

    const again = await host.callTool('get_portfolio');
    const second = await authorizeInBrowser(new FormBrowser(), again.authorizationUrl, redirectUri);
    const wrongState = new URL(second.redirect);
    wrongState.searchParams.set('state', 'not-the-state');
    assert.match((await host.callback(wrongState.href)).text, /state_mismatch/);
  });

  it('refuses cross-origin API posts and bad input', async () => {
    const host = newClient();
    await host.request('GET', '/');
    const cross = await host.request('POST', '/api/tools/call', { name: 'search_stocks' }, { origin: 'http://evil.example' });
    assert.equal(cross.status, 403);
    const form = await host.request('POST', '/api/tools/call', undefined, { 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(form.status, 415);
    assert.equal((await host.api('POST', '/api/connect', { mcpUrl: 'file:///etc/passwd' })).httpStatus, 400);
    assert.equal((await host.api('POST', '/api/tools/call', { arguments: {} })).httpStatus, 400);
    assert.equal((await host.request('GET', '/_spans?trace_id=nope')).status, 400);
  });

  it('never sends a token to the browser', () => {
    const all = clients.flatMap((c) => c.bodies);
    assert.ok(all.length > 30, 'the tests above went through the host API');
    for (const body of all) assert.doesNotMatch(body, JWT_LIKE);
  });
});
