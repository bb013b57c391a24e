// DESIGN.md journey 4 with the official MCP SDK client: trades under policy. A second HTTP session
// plays the user's phone, scanning the QR link and approving or denying on the approval page.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { callToolSignedIn } from '../../test-support/mcp.js';
import { Phone, receiptOf } from '../../test-support/phone.js';
import { MemoryOAuthProvider } from '../../test-support/sdk-client.js';
import { startTestStack, type TestStack } from '../../test-support/stack.js';

const JWT = /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('journey 4: trades under policy with backchannel approval', () => {
  let stack: TestStack;
  let mcp: string;
  let policyFile: string;
  let phone: Phone;
  const provider = new MemoryOAuthProvider();
  const results: unknown[] = [];
  const call = async (name: string, args: Record<string, unknown>) => {
    const r: any = await callToolSignedIn(mcp, provider, name, args);
    results.push(r);
    return r;
  };

  /** polls continue_authorization like the widget does, once a second, until the trade leaves pending */
  async function waitForOutcome(tradeId: string, maxSeconds = 15) {
    for (let i = 0; i < maxSeconds * 2; i++) {
      const r = await call('continue_authorization', { trade_id: tradeId });
      if (r.isError || r.structuredContent.status !== 'pending_approval') return r;
      await sleep(500);
    }
    throw new Error('still pending');
  }

  before(async () => {
    const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'policy-'));
    policyFile = path.join(dir, 'access.json');
    fs.copyFileSync('auth-server/policies/access.json', policyFile);
    stack = await startTestStack(['auth-server', 'portfolio-api', 'mcp-server'], { ACCESS_POLICY_FILE: policyFile, APPROVAL_TIMEOUT_SECONDS: '120' });
    mcp = stack.config.mcpResource;
    phone = new Phone(stack.config.auth.publicUrl);
    await phone.signIn();
  });
  after(() => stack.cleanup());

  const holding = (r: any, symbol: string) => r.structuredContent.portfolio.holdings.find((h: any) => h.symbol === symbol)?.quantity ?? 0;

  it('a small trade (below 200 EUR) executes at once', async () => {
    const r = await call('buy_stock', { symbol: 'ACME', quantity: 1 });
    assert.equal(r.isError, undefined, JSON.stringify(r.content));
    assert.equal(r.structuredContent.status, 'executed');
  });

  it('a medium trade waits for approval on the phone, then executes once with a verifiable receipt', async () => {
    const pending = await call('buy_stock', { symbol: 'ACME', quantity: 5 });
    assert.equal(pending.structuredContent.status, 'pending_approval', JSON.stringify(pending.content));
    const { trade_id: tradeId, binding_message: binding, qr } = pending.structuredContent;
    assert.match(binding, /^BUY 5 ACME [A-Z2-9]{4}$/);
    assert.match(qr.url, new RegExp(`^${stack.config.auth.publicUrl}/approve/`));
    assert.match(qr.svg, /^<svg/);

    // still pending before the user acts
    const waiting = await call('continue_authorization', { trade_id: tradeId });
    assert.equal(waiting.structuredContent.status, 'pending_approval');
    assert.notEqual(waiting.structuredContent.qr.url, undefined);

    const page = await phone.open(waiting.structuredContent.qr.url);
    assert.equal(page.status, 200);
    assert.ok(page.text.includes(binding), 'the approval page shows the same binding message');
    assert.match(page.text, /Buy 5 × ACME/);
    const decided = await phone.decide(page, 'approve');
    assert.match(decided.text, /Approved/);

    const done = await waitForOutcome(tradeId);
    assert.equal(done.structuredContent.status, 'executed', JSON.stringify(done.content));
    assert.equal(done.structuredContent.trade.quantity, 5);
    assert.equal(done.structuredContent.trade.intent_id, tradeId);

    // the receipt on the approval page verifies with the auth server's JWKS and says what was approved
    const receipt = receiptOf(decided)!;
    const jwks = createRemoteJWKSet(new URL(`${stack.config.auth.publicUrl}/jwks`));
    const { payload } = await jwtVerify(receipt, jwks, { issuer: stack.config.auth.publicUrl, typ: 'approval-receipt+jwt' });
    assert.equal(payload.sub, 'alice@demo.example');
    assert.equal(payload.decision, 'approved');
    assert.equal(payload.binding_message, binding);
    assert.equal((payload.authorization_details as any[])[0].trade_id, tradeId);
    // ...and the API stored it with the trade
    const api = new Database(path.join(stack.dataDir, 'api.db'), { readonly: true });
    const row = api.prepare('SELECT approval_receipt, act FROM trades WHERE intent_id = ?').get(tradeId) as any;
    api.close();
    assert.equal(row.approval_receipt, receipt);
    assert.deepEqual(JSON.parse(row.act), { sub: 'mcp-server', act: { sub: provider.info!.client_id } });

    // asking again returns the same outcome, and no second trade happens
    const again = await call('continue_authorization', { trade_id: tradeId });
    assert.equal(again.structuredContent.trade.id, done.structuredContent.trade.id);
    const db = new Database(path.join(stack.dataDir, 'api.db'), { readonly: true });
    assert.equal((db.prepare('SELECT COUNT(*) n FROM trades WHERE intent_id = ?').get(tradeId) as any).n, 1);
    db.close();
  });

  it('an old QR frame stops working (a photo of it is useless)', async () => {
    const pending = await call('sell_stock', { symbol: 'ACME', quantity: 4 });
    const { qr, trade_id: tradeId } = pending.structuredContent;
    const url = new URL(qr.url);
    url.searchParams.set('t', String(Number(url.searchParams.get('t')) - 120));
    const stale = await phone.open(url.href);
    assert.equal(stale.status, 400);
    assert.match(stale.text, /expired_qr_code|invalid_qr_code/);
    // deny it, so the next test starts clean
    const page = await phone.open(qr.url);
    await phone.decide(page, 'deny');
    const r = await waitForOutcome(tradeId);
    assert.equal(r.structuredContent.status, 'denied');
  });

  it('a denied trade is cancelled and nothing changes', async () => {
    const before = await call('get_portfolio', {});
    const pending = await call('buy_stock', { symbol: 'ACME', quantity: 6 });
    const { trade_id: tradeId, qr } = pending.structuredContent;
    await phone.decide(await phone.open(qr.url), 'deny');
    const r = await waitForOutcome(tradeId);
    assert.equal(r.structuredContent.status, 'denied');
    assert.match(r.structuredContent.message, /denied/);
    const after = await call('get_portfolio', {});
    assert.deepEqual(after.structuredContent, before.structuredContent);
    const api = new Database(path.join(stack.dataDir, 'api.db'), { readonly: true });
    assert.equal((api.prepare('SELECT status FROM trade_intents WHERE id = ?').get(tradeId) as any).status, 'cancelled');
    api.close();
  });

  it('a large trade (above 1000 EUR) is refused by policy with the reason', async () => {
    const r = await call('buy_stock', { symbol: 'ACME', quantity: 20 });
    assert.equal(r.isError, true);
    assert.match(r.content[0].text, /above 1000 EUR/);
  });

  it('changing a threshold in the policy file changes the outcome, without a restart', async () => {
    const policy = JSON.parse(fs.readFileSync(policyFile, 'utf8'));
    policy.trade_thresholds.approval_from = 5000;
    policy.trade_thresholds.deny_above = 10000;
    fs.writeFileSync(policyFile, JSON.stringify(policy));
    await sleep(600); // the PDP looks at the file's modification time at most twice a second
    try {
      const r = await call('buy_stock', { symbol: 'ACME', quantity: 20 });
      assert.equal(r.structuredContent.status, 'executed', JSON.stringify(r.content));
    } finally {
      fs.copyFileSync('auth-server/policies/access.json', policyFile);
      await sleep(600);
    }
  });

  it('a pending approval survives a restart of all three services', async () => {
    const pending = await call('buy_stock', { symbol: 'ACME', quantity: 3 });
    const { trade_id: tradeId } = pending.structuredContent;
    await stack.restart();
    // after the restart the user approves from the account page (no QR needed there)
    const account = await phone.browser.get(`${stack.config.auth.publicUrl}/account`);
    const link = /href="(\/approvals\/[^"]+)">Review</.exec(account.text)?.[1];
    assert.ok(link, 'the pending approval is listed on the account page');
    await phone.decide(await phone.browser.get(`${stack.config.auth.publicUrl}${link}`), 'approve');
    const r = await waitForOutcome(tradeId);
    assert.equal(r.structuredContent.status, 'executed', JSON.stringify(r.content));
  });

  it('the transaction token never reaches the host: no JWT in any tool result', () => {
    for (const r of results) assert.doesNotMatch(JSON.stringify(r), JWT);
    assert.ok(results.length > 10);
  });
});

describe('journey 4: an approval that is never answered expires', () => {
  let stack: TestStack;
  before(async () => {
    stack = await startTestStack(['auth-server', 'portfolio-api', 'mcp-server'], { APPROVAL_TIMEOUT_SECONDS: '2' });
  });
  after(() => stack.cleanup());

  it('expires, cancels the intent and says so', async () => {
    const provider = new MemoryOAuthProvider();
    const pending: any = await callToolSignedIn(stack.config.mcpResource, provider, 'buy_stock', { symbol: 'ACME', quantity: 5 });
    assert.equal(pending.structuredContent.status, 'pending_approval');
    await sleep(3000);
    let r: any;
    for (let i = 0; i < 6; i++) {
      r = await callToolSignedIn(stack.config.mcpResource, provider, 'continue_authorization', { trade_id: pending.structuredContent.trade_id });
      if (r.structuredContent?.status !== 'pending_approval') break;
      await sleep(500);
    }
    assert.equal(r.structuredContent?.status, 'expired', JSON.stringify(r.content));
    const api = new Database(path.join(stack.dataDir, 'api.db'), { readonly: true });
    assert.equal((api.prepare('SELECT status FROM trade_intents WHERE id = ?').get(pending.structuredContent.trade_id) as any).status, 'cancelled');
    api.close();
  });
});
