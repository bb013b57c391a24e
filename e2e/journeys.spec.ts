// The five journeys of DESIGN.md as a person does them, in order, as one user (alice): the Lab Host in
// one browser context (the laptop), the auth server's account and approval pages in a second one (the
// phone). Every wait is on something the page shows; the one timed wait is the revocation feed's
// documented second (journey 5).
import { expect, test, type Browser, type BrowserContext, type FrameLocator, type Locator, type Page, type TestInfo } from '@playwright/test';
import { scanQr, shot, signInWithEmailCode, USER, watchConsole } from './helpers.js';
import { urls } from './stack.js';

test.describe.configure({ mode: 'serial' });

let laptop: BrowserContext;
let host: Page;
let phone: BrowserContext;
let phonePage: Page;
let hostErrors: string[];
let phoneErrors: string[];
/** the portfolio widget rendered by "show my portfolio", where the trades are placed */
let widget: FrameLocator;
/** the host page's iframe element that holds `widget` */
let widgetFrame: Locator;

const assistantMessages = () => host.locator('[data-testid="message"][data-role="assistant"]');

async function say(text: string): Promise<Locator> {
  const before = await assistantMessages().count();
  await host.getByTestId('composer-input').fill(text);
  await host.getByTestId('send-button').click();
  await expect(assistantMessages()).toHaveCount(before + 1);
  return pinned(assistantMessages().last());
}

/** the same message for good (`.last()` alone would move on to newer messages) */
async function pinned(message: Locator): Promise<Locator> {
  const id = await message.getAttribute('data-message-id');
  return host.locator(`[data-testid="message"][data-message-id="${id}"]`);
}

/**
 * Presses the card's sign-in button, does what the popup asks (sign in with an emailed code when
 * `login`, then the consent page's Allow) and waits for the popup to hand the result to the host.
 */
async function signInInPopup(card: Locator, testInfo: TestInfo, opts: { login: boolean; shotName?: string; docName?: string }) {
  const popupOpened = host.waitForEvent('popup');
  await card.getByTestId('sign-in-button').click();
  const popup = await popupOpened;
  if (opts.login) await signInWithEmailCode(popup, host.request);
  const allow = popup.getByRole('button', { name: 'Allow' });
  await expect(allow).toBeVisible();
  await expect(popup.getByRole('heading', { level: 1 })).toContainText('Lab Host');
  if (opts.shotName) await shot(popup, testInfo, opts.shotName, opts.docName);
  const closed = popup.waitForEvent('close');
  await allow.click();
  await closed; // the host's callback page reports to the opener and closes itself
  await expect(card.getByTestId('sign-in-state')).toHaveAttribute('data-state', 'signed-in');
}

/** places an order in the portfolio widget: Buy on the holding's row, the quantity, submit */
async function buyInWidget(symbol: string, quantity: number) {
  await widget.getByTestId(`buy-${symbol}`).click();
  await expect(widget.getByTestId('order-form')).toBeVisible();
  await widget.getByTestId('quantity-input').fill(String(quantity));
  await expect(widget.getByTestId('submit-trade')).toHaveText(new RegExp(`^Buy ${quantity} ${symbol} for`));
  await widget.getByTestId('submit-trade').click();
}

const heldQuantity = (symbol: string) => widget.getByTestId(`holding-${symbol}`).getByTestId('quantity');

/**
 * The QR code as the screen shows it: a clip of the host page's screenshot (the widget redraws the
 * code every second, so an element screenshot could lose its element halfway through)
 */
async function qrPixels(qr: Locator): Promise<Buffer> {
  for (let attempt = 0; ; attempt++) {
    const box = await qr.locator('svg').boundingBox().catch(() => null);
    if (box) return host.screenshot({ clip: box, animations: 'disabled' });
    if (attempt === 3) throw new Error('the QR code is not on the screen');
  }
}

/** the phone opens a page; it must not be a sign-in form (the phone signed in once, in journey 4) */
async function phoneGoto(url: string) {
  await phonePage.goto(url);
  await expect(phonePage.getByText(`Signed in as ${USER}`)).toBeVisible();
}

test.beforeAll(async ({ browser }: { browser: Browser }) => {
  laptop = await browser.newContext();
  hostErrors = watchConsole(laptop);
  host = await laptop.newPage();
  phone = await browser.newContext({ viewport: { width: 390, height: 780 }, deviceScaleFactor: 1 });
  phoneErrors = watchConsole(phone);
  phonePage = await phone.newPage();
});

test.afterAll(async () => {
  await laptop?.close();
  await phone?.close();
});

test.afterEach(async ({}, testInfo) => {
  if (testInfo.status !== testInfo.expectedStatus) {
    await shot(host, testInfo, 'failure-host').catch(() => undefined);
    if (phonePage.url() !== 'about:blank') await shot(phonePage, testInfo, 'failure-phone').catch(() => undefined);
  }
  // the host page, its widgets, the sign-in popups and the phone's pages: no console errors at all
  expect(hostErrors, 'console errors on the host, its widgets or its popups').toEqual([]);
  expect(phoneErrors, 'console errors on the phone').toEqual([]);
});

test('1 · public: connect and search stocks without signing in', async ({}, testInfo) => {
  await host.goto('/');
  await expect(host.getByTestId('connection-status')).toHaveText('Not connected');
  await expect(host.getByTestId('server-select')).toHaveValue(urls.mcp);
  await host.getByTestId('connect-button').click();
  await expect(host.getByTestId('connection-status')).toHaveAttribute('data-state', 'connected');
  await expect(host.getByTestId('quick-get_portfolio')).toBeVisible();

  const msg = await say('search tech stocks');
  await expect(msg.getByTestId('tool-call')).toHaveAttribute('data-status', 'ok');
  await expect(msg.getByTestId('result-table')).toContainText('ACME');
  await expect(msg.getByTestId('sign-in-card')).toHaveCount(0);
  await expect(host.getByTestId('user-status')).toHaveAttribute('data-state', 'signed-out');
  await shot(host, testInfo, 'public-search');
});

test('2 · sign-in: show my portfolio, sign in in the popup, the widget shows the holdings', async ({}, testInfo) => {
  const msg = await say('show my portfolio');
  const card = msg.getByTestId('sign-in-card');
  await expect(card).toHaveAttribute('data-reason', 'sign_in');
  await expect(card).toContainText('portfolio:read');
  await signInInPopup(card, testInfo, { login: true, shotName: 'consent', docName: 'consent' });

  await expect(msg.getByTestId('tool-call')).toHaveAttribute('data-status', 'ok');
  const frame = msg.getByTestId('widget-frame');
  await expect(frame).toHaveAttribute('sandbox', 'allow-scripts');
  widgetFrame = frame;
  widget = frame.contentFrame();
  await expect(widget.getByTestId('portfolio')).toBeVisible();
  await expect(heldQuantity('ACME')).toHaveText('10');
  await expect(widget.getByTestId('holding-GLBX')).toBeVisible();
  await expect(widget.getByTestId('cash-amount')).toContainText('10,000');
  await expect(host.getByTestId('user-status')).toContainText(USER);
  await frame.scrollIntoViewIfNeeded();
  await shot(host, testInfo, 'portfolio-widget', 'host-portfolio-widget');
});

test('3 · step-up: a small buy asks for portfolio:trade in a second popup, then executes', async ({}, testInfo) => {
  const before = await assistantMessages().count();
  await buyInWidget('ACME', 1);
  // the widget's call is refused with insufficient_scope: the host asks for more access in a new message
  await expect(assistantMessages()).toHaveCount(before + 1);
  const card = (await pinned(assistantMessages().last())).getByTestId('sign-in-card');
  await expect(card).toHaveAttribute('data-reason', 'step_up');
  await expect(card).toContainText('portfolio:trade');
  await signInInPopup(card, testInfo, { login: false, shotName: 'consent-step-up' });

  await expect(widget.getByTestId('trade-result')).toContainText(/bought 1 ACME/i);
  await expect(heldQuantity('ACME')).toHaveText('11');
  await shot(host, testInfo, 'small-buy-executed');

  // the flow inspector: the buy's trace, down to the API token with its nested act chain
  const trace = host.getByTestId('trace-item').filter({ hasText: 'buy_stock' }).first();
  const spans = host.getByTestId('flow-span');
  // selecting a trace redraws the diagram a moment later: mark what is drawn now and wait for the redraw
  await spans.evaluateAll((els) => els.forEach((el) => el.setAttribute('data-e2e-stale', '')));
  await trace.click();
  await expect(trace).toHaveClass(/active/);
  await expect(host.locator('[data-e2e-stale]')).toHaveCount(0);
  await expect(spans.first()).toBeVisible();
  await spans.filter({ hasText: 'token (token-exchange)' }).first().click();
  // the issued API token: act { sub: mcp-server, act: { sub: <the host's client id> } }
  const details = host.getByTestId('span-details');
  const chain = details.getByTestId('claims-act').filter({ hasText: 'mcp-server' }).filter({ has: host.getByTestId('claims-act') }).first();
  await expect(chain).toBeVisible();
  await expect(chain.getByTestId('claims-act')).toContainText(`${urls.host}/oauth/client-metadata.json`);
  await chain.scrollIntoViewIfNeeded();
  await shot(host, testInfo, 'flow-inspector', 'flow-inspector-act-chain');
});

test('4 · approval: a medium buy waits; the phone scans the QR code, checks the code and approves', async ({}, testInfo) => {
  // the phone signs in on the account page once
  await phonePage.goto(`${urls.auth}/account`);
  await signInWithEmailCode(phonePage, host.request);
  await expect(phonePage.getByRole('heading', { name: 'Connected agents' })).toBeVisible();
  await expect(phonePage.getByRole('row').filter({ hasText: 'Lab Host' })).toBeVisible();

  await buyInWidget('ACME', 5);
  const pending = widget.getByTestId('pending-approval');
  await expect(pending).toBeVisible();
  const binding = widget.getByTestId('binding-message');
  await expect(binding).not.toHaveText('…');
  const bindingText = (await binding.textContent())!.trim();
  await expect(widget.getByTestId('countdown')).toHaveText(/^\d+:\d\d$/);
  const qr = widget.getByTestId('qr-code');
  await expect(qr.locator('svg')).toBeVisible();
  await widgetFrame.scrollIntoViewIfNeeded(); // not the QR itself: the widget redraws it every second
  await shot(host, testInfo, 'pending-approval', 'pending-approval-qr');

  // the QR code as pixels, decoded the way a phone camera would; it re-renders every second, so retry
  let scanned: string | null = null;
  for (let i = 0; i < 3 && !scanned; i++) {
    const png = await qrPixels(qr);
    scanned = await scanQr(phone, png);
    if (!scanned) await testInfo.attach(`qr-unreadable-${i}`, { body: png, contentType: 'image/png' });
  }
  expect(scanned, 'the QR code decodes').not.toBeNull();
  const link = new RegExp(`^${urls.auth}/approve/([^/?]+)\\?t=\\d+&c=[\\w-]+$`);
  expect(scanned).toMatch(link);
  const approvalId = link.exec(scanned!)![1];
  await expect(qr).toHaveAttribute('data-url', new RegExp(`/approve/${approvalId}\\?`));

  await phoneGoto(scanned!);
  await expect(phonePage.getByRole('heading', { level: 1 })).toHaveText('Buy 5 × ACME?');
  await expect(phonePage.getByTestId('binding-message')).toHaveText(bindingText);
  await expect(phonePage.getByText('Your AI agent')).toContainText('Lab Host');
  await shot(phonePage, testInfo, 'phone-approval', 'phone-approval');
  await phonePage.getByRole('button', { name: 'Approve' }).click();
  await expect(phonePage.getByRole('status')).toContainText('Approved');
  await expect(phonePage.getByTestId('approval-status')).toHaveText('approved');

  // the widget's poll picks the approval up; the trade runs once
  await expect(widget.getByTestId('trade-result')).toContainText(/bought 5 ACME/i);
  await expect(heldQuantity('ACME')).toHaveText('16');
  await shot(host, testInfo, 'approved-trade-executed');
});

test('4 · over the limit: a large buy is refused with the policy reason', async ({}, testInfo) => {
  await buyInWidget('ACME', 20);
  const refusal = widget.getByTestId('trade-error');
  await expect(refusal).toBeVisible();
  await expect(widget.getByTestId('error-title')).toHaveText('Trade not allowed');
  await expect(widget.getByTestId('error-message')).toContainText('Trades above 1000 EUR are not allowed');
  await expect(widget.getByTestId('error-message')).toContainText('Nothing was traded');
  await shot(host, testInfo, 'large-buy-refused');
  await widget.getByTestId('back-button').click();
  await expect(heldQuantity('ACME')).toHaveText('16');
});

test('4 · denial: a medium buy denied on the phone (from the account page) does not happen', async ({}, testInfo) => {
  await buyInWidget('ACME', 5);
  await expect(widget.getByTestId('pending-approval')).toBeVisible();
  const binding = widget.getByTestId('binding-message');
  await expect(binding).not.toHaveText('…');
  const bindingText = (await binding.textContent())!.trim();

  // this time the phone finds the request in the account page's Approvals list
  await phoneGoto(`${urls.auth}/account`);
  const row = phonePage.getByRole('row').filter({ hasText: bindingText });
  await expect(row).toContainText('pending');
  await row.getByRole('link', { name: 'Review' }).click();
  await expect(phonePage.getByTestId('binding-message')).toHaveText(bindingText);
  await phonePage.getByRole('button', { name: 'Deny' }).click();
  await expect(phonePage.getByTestId('approval-status')).toHaveText('denied');

  await expect(widget.getByTestId('error-title')).toHaveText('Trade denied');
  await shot(host, testInfo, 'trade-denied');
  // neither the refused nor the denied trade happened: the portfolio, fetched afresh, still holds 16
  await widget.getByTestId('back-button').click();
  await widget.getByTestId('refresh').click();
  await expect(widget.getByTestId('loading')).toHaveCount(0);
  await expect(heldQuantity('ACME')).toHaveText('16');
});

test('5 · revocation: removing the agent on the account page makes the host sign in again', async ({}, testInfo) => {
  await phoneGoto(`${urls.auth}/account`);
  const agent = phonePage.getByRole('row').filter({ hasText: 'Lab Host' });
  await expect(agent).toHaveCount(1);
  await agent.getByRole('button', { name: 'Remove' }).click();
  await expect(phonePage.getByText('Agent removed. Its tokens no longer work.')).toBeVisible();
  const removedAt = Date.now();
  await expect(agent).toHaveCount(0);

  // the MCP server reads the auth server's revocation feed at most once a second (mcp-server/revocations.ts):
  // a call within that second may still pass, so the host's next call comes at least a second later
  const propagation = removedAt + 1_100 - Date.now();
  if (propagation > 0) await host.waitForTimeout(propagation);

  const msg = await say('show my portfolio');
  const card = msg.getByTestId('sign-in-card');
  // the host still holds its (now revoked) token: the MCP server's 401 makes it ask to sign in again
  await expect(card).toHaveAttribute('data-reason', 'reauthorize');
  await expect(card).toContainText('Sign in again');
  await expect(msg.getByTestId('widget-frame')).toHaveCount(0);
  await shot(host, testInfo, 'sign-in-again');

  // the auth server still knows the user: consent only, and the portfolio is back
  await signInInPopup(card, testInfo, { login: false });
  widgetFrame = msg.getByTestId('widget-frame');
  widget = widgetFrame.contentFrame();
  await expect(heldQuantity('ACME')).toHaveText('16');
});
