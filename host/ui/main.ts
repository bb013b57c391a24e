// The Lab Host page: header, conversation and composer on the left; connection and flow inspector on
// the right. It plays the part of ChatGPT's UI: turns what you type into tool calls (without a model),
// asks you to sign in when a tool needs it, and renders widgets in sandboxed iframes.
import { hostApi } from './api.js';
import { createChat, type AssistantMessage } from './chat.js';
import { EXAMPLES, parseCommand } from './commands.js';
import { createConnectionPanel } from './connection.js';
import { clear, h } from './dom.js';
import { createInspector } from './inspector.js';
import type { CallResponse, OpenAiGlobals, SessionView, ToolInfo, ToolResult } from './protocol.js';
import { fallbackView, rawDetails, resultText } from './results.js';
import { signInCard } from './signin.js';
import { mountWidget, type MountedWidget } from './widget-frame.js';

const INLINE_MAX_HEIGHT = 720;
const DEFAULT_TOOLS = ['search_stocks', 'get_portfolio', 'buy_stock', 'sell_stock', 'continue_authorization'];

let view: SessionView | undefined;
let tools: ToolInfo[] = [];
/** widget state per message, as the Apps SDK keeps it per conversation turn */
const widgetStates = new Map<string, unknown>();

// ---------- layout ----------
const statusPill = h('span', { class: 'pill off', testid: 'connection-status' }, 'Not connected');
const userPill = h('span', { class: 'pill off', testid: 'user-status' }, 'Not signed in');
const header = h('header', { class: 'topbar' },
  h('div', { class: 'brand' }, h('div', { class: 'logo', 'aria-hidden': 'true' }, '+'),
    h('div', {}, h('div', { class: 'brand-name' }, 'Lab Host'), h('div', { class: 'brand-sub' }, 'a ChatGPT stand-in · MCP host'))),
  h('div', { class: 'top-status' }, statusPill, userPill));

const inspector = createInspector();
const chat = createChat((traceId) => inspector.select(traceId));
const connection = createConnectionPanel({ connect, disconnect });

const input = h('input', {
  class: 'composer-input', testid: 'composer-input', type: 'text', autocomplete: 'off',
  placeholder: 'Ask the host… e.g. "show my portfolio", "buy 3 ACME", "search tech stocks"', 'aria-label': 'Message',
});
const send = h('button', { class: 'primary send', testid: 'send-button', type: 'submit', 'aria-label': 'Send' }, 'Send');
const quick = h('div', { class: 'quick-actions', testid: 'quick-actions' });
const composer = h('form', { class: 'composer', testid: 'composer' }, quick, h('div', { class: 'composer-row' }, input, send),
  h('div', { class: 'composer-hint' }, 'No language model here: the host understands a few phrases. Type ', h('code', {}, 'help'), ' for the list.'));
composer.addEventListener('submit', (e) => {
  e.preventDefault();
  const text = input.value.trim();
  if (!text) return;
  input.value = '';
  void handleInput(text);
});

const app = document.getElementById('app')!;
clear(app);
app.append(header, h('main', { class: 'layout' },
  h('section', { class: 'chat-column' }, chat.root, composer),
  h('aside', { class: 'side-column' }, connection.root, inspector.root)));

// ---------- session & connection ----------
function renderStatus() {
  const s = view?.session;
  const connected = Boolean(s?.connected);
  statusPill.className = `pill ${connected ? 'on' : 'off'}`;
  statusPill.dataset.state = connected ? 'connected' : 'disconnected';
  statusPill.textContent = connected ? `Connected · ${s!.server?.title ?? s!.server?.name ?? s!.mcpUrl}` : 'Not connected';
  const auth = s?.auth;
  userPill.className = `pill ${auth?.signedIn ? 'on' : 'off'}`;
  userPill.dataset.state = auth?.signedIn ? 'signed-in' : 'signed-out';
  userPill.textContent = auth?.signedIn ? `${auth.user ?? 'Signed in'}${auth.registration ? ` · ${auth.registration.toUpperCase()}` : ''}` : 'Not signed in';
  if (view) connection.update(view);
}

async function refreshSession() {
  view = await hostApi.session();
  renderStatus();
}

function renderQuickActions() {
  clear(quick);
  const names = tools.length ? tools.map((t) => t.name) : DEFAULT_TOOLS;
  for (const name of names) {
    const tool = tools.find((t) => t.name === name);
    const label = tool?.title ?? tool?.annotations?.title ?? name.replace(/_/g, ' ');
    quick.append(h('button', { type: 'button', class: 'quick', testid: `quick-${name}`, title: tool?.description ?? name, onclick: () => quickAction(name) }, label));
  }
}

/** tools that need no arguments run at once; the others put an editable example in the composer */
function quickAction(name: string) {
  const prefill: Record<string, string> = { buy_stock: 'buy 1 ACME', sell_stock: 'sell 1 ACME', continue_authorization: `continue ${lastTradeId ?? ''}`.trim() + ' ' };
  if (name === 'get_portfolio') return void handleInput('show my portfolio');
  if (name === 'search_stocks') return void handleInput('search stocks');
  const tool = tools.find((t) => t.name === name);
  input.value = prefill[name] ?? (tool?.inputSchema?.required?.length ? `call ${name} {}` : `call ${name}`);
  input.focus();
  input.setSelectionRange(input.value.length, input.value.length);
}
let lastTradeId: string | undefined;

async function connect(url: string, registration: 'auto' | 'dcr') {
  const result = await hostApi.connect(url, registration);
  view = result;
  renderStatus();
  if (result.status === 'ok') {
    tools = result.tools;
    renderQuickActions();
    const msg = chat.assistant();
    msg.text(`Connected to ${result.session?.server?.title ?? url}. ${tools.length} tools: ${tools.map((t) => t.name).join(', ')}.`);
    if (result.session?.server?.instructions) msg.text(result.session.server.instructions, 'muted');
  } else if (result.status === 'sign_in_required') {
    // a stored token was refused while connecting (revoked): sign in, then list the tools
    const msg = chat.assistant();
    const ok = await signInFlow(msg, result);
    if (ok) await loadTools();
  } else {
    throw new Error(result.message ?? result.error);
  }
}

async function disconnect() {
  view = await hostApi.disconnect();
  tools = [];
  renderStatus();
  renderQuickActions();
  chat.assistant().text('Disconnected. The host forgot its tokens and client registration for that server.', 'muted');
}

async function loadTools() {
  const result = await hostApi.tools();
  if (result.status === 'ok') tools = result.tools;
  renderQuickActions();
  await refreshSession();
}

// ---------- tool calls ----------
/** shows the sign-in card in `msg` and waits for the popup; true when signed in */
async function signInFlow(msg: AssistantMessage, res: Extract<CallResponse, { status: 'sign_in_required' }>): Promise<boolean> {
  await refreshSession();
  const auth = view?.session?.auth;
  const { card, outcome } = signInCard({
    reason: res.reason, authorizationUrl: res.authorizationUrl, scope: res.scope, registration: auth?.registration, clientId: auth?.clientId,
  });
  msg.body.append(card);
  chat.scroll();
  const result = await outcome;
  await refreshSession();
  return result.ok;
}

/** calls a tool; when it needs sign-in, asks for it in `signInSlot()` and retries within the same trace */
async function callWithSignIn(name: string, args: Record<string, unknown>, signInSlot: () => AssistantMessage, label: string, widget = true): Promise<CallResponse> {
  let traceId: string | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const res = await hostApi.callTool(name, args, { traceId, widget });
    if (res.traceId) inspector.addTrace(res.traceId, label, res.status === 'ok' ? (res.result.isError ? 'tool-error' : 'ok') : res.status, widget || res.status !== 'ok');
    if (res.status !== 'sign_in_required') return res;
    traceId = res.traceId;
    if (!(await signInFlow(signInSlot(), res))) return { status: 'error', traceId, error: 'not_signed_in', message: `${name} was not run: the host has no permission.` };
  }
  return { status: 'error', traceId, error: 'still_unauthorized', message: 'The server still refuses after signing in.' };
}

async function runToolInChat(name: string, args: Record<string, unknown>) {
  const msg = chat.assistant();
  const chip = msg.chip(name, args);
  msg.thinking(true);
  const started = performance.now();
  const res = await callWithSignIn(name, args, () => msg, name).catch((err) => ({ status: 'error', error: (err as Error).message }) as CallResponse);
  msg.thinking(false);
  if (res.status !== 'ok') {
    chip.done('failed', performance.now() - started, res.traceId);
    msg.text(res.status === 'error' ? res.message ?? res.error : 'Sign-in required.', 'error');
    return;
  }
  chip.done(res.result.isError ? 'tool error' : 'ok', performance.now() - started, res.traceId);
  showResult(msg, name, args, res);
}

function showResult(msg: AssistantMessage, name: string, args: Record<string, unknown>, res: Extract<CallResponse, { status: 'ok' }>) {
  const { result } = res;
  const tradeId = (result.structuredContent as { trade_id?: unknown } | undefined)?.trade_id;
  if (typeof tradeId === 'string') lastTradeId = tradeId;
  const text = resultText(result);
  if (res.widget && !result.isError) {
    if (text) msg.text(text.split('\n')[0], 'muted');
    renderWidget(msg, name, args, result, res.widget.html);
  } else {
    if (text) msg.text(text, result.isError ? 'error' : 'normal');
    const table = fallbackView(result);
    if (table) msg.body.append(table);
    if (res.widgetError) msg.text(`(widget unavailable: ${res.widgetError})`, 'muted');
  }
  const raw = rawDetails(result);
  if (raw) msg.body.append(raw);
  chat.scroll();
}

// ---------- widgets ----------
function renderWidget(msg: AssistantMessage, name: string, args: Record<string, unknown>, result: ToolResult, html: string) {
  const slot = h('div', { class: 'widget-slot', testid: 'widget' });
  const closeFullscreen = h('button', { class: 'ghost small widget-close', hidden: true, onclick: () => void setMode('inline') }, 'Close ✕');
  slot.append(closeFullscreen);
  msg.body.append(slot);
  const globals: OpenAiGlobals = {
    theme: 'light',
    locale: navigator.language || 'en-US',
    displayMode: 'inline',
    maxHeight: INLINE_MAX_HEIGHT,
    userAgent: { device: { type: 'desktop' }, capabilities: { hover: true, touch: false } },
    safeArea: { insets: { top: 0, bottom: 0, left: 0, right: 0 } },
    toolInput: args,
    toolOutput: result.structuredContent ?? null,
    toolResponseMetadata: result._meta ?? null,
    widgetState: widgetStates.get(msg.id) ?? null,
  };
  let widget: MountedWidget | undefined;
  let widgetSignIn: AssistantMessage | undefined;

  async function setMode(mode: OpenAiGlobals['displayMode']): Promise<OpenAiGlobals['displayMode']> {
    const granted = mode === 'fullscreen' ? 'fullscreen' : 'inline'; // picture-in-picture is shown inline here
    slot.classList.toggle('fullscreen', granted === 'fullscreen');
    closeFullscreen.hidden = granted !== 'fullscreen';
    const maxHeight = granted === 'fullscreen' ? window.innerHeight - 96 : INLINE_MAX_HEIGHT;
    widget?.setGlobals({ displayMode: granted, maxHeight });
    return granted;
  }

  widget = mountWidget(slot, html, { hostOrigin: location.origin, globals }, {
    async callTool(tool, toolArgs) {
      const res = await callWithSignIn(tool, toolArgs, () => {
        widgetSignIn ??= chat.assistant();
        return widgetSignIn;
      }, `${tool} (from widget)`, false);
      if (res.status !== 'ok') throw new Error(res.status === 'error' ? res.message ?? res.error : 'sign-in required');
      return { structuredContent: res.result.structuredContent, content: res.result.content, isError: res.result.isError, _meta: res.result._meta };
    },
    async sendFollowUpMessage(prompt) {
      if (prompt.trim()) void handleInput(prompt.trim());
    },
    openExternal(href) {
      const url = new URL(href, location.href);
      if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('only http(s) links can be opened');
      window.open(url.href, '_blank', 'noopener,noreferrer');
    },
    requestDisplayMode: setMode,
    setWidgetState(state) {
      widgetStates.set(msg.id, state);
    },
  }, `${name} widget`);
}

// ---------- the composer ----------
function helpText(): HTMLElement {
  const rows = [
    ['show my portfolio', 'get_portfolio — your holdings and cash (sign-in needed)'],
    ['search tech stocks', 'search_stocks — public quotes, no sign-in'],
    ['buy 3 ACME', 'buy_stock — needs the portfolio:trade scope (step-up)'],
    ['sell 2 ACME', 'sell_stock — small trades run at once, larger ones wait for your approval'],
    ['continue <trade id>', 'continue_authorization — what the widget polls while you approve'],
    ['call <tool> {json}', 'any tool with raw JSON arguments'],
    ['connect <url> / disconnect', 'switch MCP server, or forget tokens and registration'],
  ];
  return h('div', { class: 'help' },
    h('p', {}, 'I understand these phrases (no language model involved):'),
    h('table', { class: 'help-table' }, rows.map(([cmd, what]) => h('tr', {}, h('td', {}, h('code', {}, cmd)), h('td', {}, what)))),
    tools.length ? h('p', { class: 'muted' }, `Tools on this server: ${tools.map((t) => t.name).join(', ')}.`) : null);
}

async function handleInput(text: string) {
  chat.user(text);
  const command = parseCommand(text);
  switch (command.kind) {
    case 'help': {
      chat.assistant().body.append(helpText());
      return;
    }
    case 'clarify':
      chat.assistant().text(command.message);
      return;
    case 'unknown': {
      const msg = chat.assistant();
      msg.text('I am a host without a language model, so I only know a few phrases. Try one of these:');
      msg.body.append(examples());
      return;
    }
    case 'disconnect':
      await disconnect();
      return;
    case 'connect':
      await connect(command.url ?? view?.defaults.mcpUrl ?? '', view?.defaults.registration ?? 'auto').catch((err) => chat.assistant().text((err as Error).message, 'error'));
      return;
    case 'tool':
      if (!view?.session?.connected) await loadTools().catch(() => undefined);
      await runToolInChat(command.name, command.args);
      return;
  }
}

function examples(): HTMLElement {
  return h('div', { class: 'examples' }, EXAMPLES.map((e) => h('button', { type: 'button', class: 'example', testid: 'example', onclick: () => void handleInput(e) }, e)));
}

function welcome() {
  const msg = chat.assistant();
  msg.el.dataset.welcome = 'true';
  msg.text('Hi! I am the Lab Host, standing in for ChatGPT. I connect to an MCP server, sign you in with OAuth when a tool needs it, and show the server’s widgets. Every step shows up in the flow inspector on the right.');
  msg.body.append(h('div', { class: 'welcome-actions' },
    h('button', { class: 'primary', testid: 'welcome-connect', onclick: () => void connect(view?.defaults.mcpUrl ?? '', view?.defaults.registration ?? 'auto').catch((err) => msg.text((err as Error).message, 'error')) }, 'Connect to the Portfolio MCP server')),
  examples());
}

// ---------- start ----------
async function start() {
  renderQuickActions();
  await refreshSession();
  welcome();
  if (view?.session?.connected) await loadTools();
  input.focus();
}

start().catch((err) => chat.assistant().text(`The host page could not start: ${(err as Error).message}`, 'error'));
