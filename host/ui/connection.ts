// The connection panel: which MCP server to talk to (the lab's own, or any URL), how to register with
// its auth server, and what the host currently holds: client id, registration method, signed-in user,
// granted scope and the decoded claims of its token (the token itself stays on the host's server).
import { claimsCard } from './claims-view.js';
import { clear, h } from './dom.js';
import type { SessionView } from './protocol.js';

export interface ConnectionHandlers {
  connect(url: string, registration: 'auto' | 'dcr'): Promise<void>;
  disconnect(): Promise<void>;
}

const CUSTOM = '__custom__';

export function createConnectionPanel(handlers: ConnectionHandlers) {
  const select = h('select', { testid: 'server-select', 'aria-label': 'MCP server' });
  const urlInput = h('input', { type: 'url', testid: 'server-url', placeholder: 'https://example.com/mcp', 'aria-label': 'MCP server URL', spellcheck: 'false' });
  const registration = h('select', { testid: 'registration-mode', 'aria-label': 'Client registration' },
    h('option', { value: 'auto' }, 'Auto: CIMD if supported, else DCR'),
    h('option', { value: 'dcr' }, 'Dynamic Client Registration'));
  const connectButton = h('button', { class: 'primary', testid: 'connect-button' }, 'Connect');
  const disconnectButton = h('button', { class: 'ghost', testid: 'disconnect-button' }, 'Disconnect');
  const status = h('div', { class: 'conn-status' });
  const error = h('div', { class: 'conn-error', testid: 'connect-error', role: 'alert' });

  const chosenUrl = () => (select.value === CUSTOM ? urlInput.value.trim() : select.value);
  select.addEventListener('change', () => {
    urlInput.hidden = select.value !== CUSTOM;
    if (!urlInput.hidden) urlInput.focus();
  });
  const run = async (fn: () => Promise<void>) => {
    connectButton.disabled = disconnectButton.disabled = true;
    error.textContent = '';
    try {
      await fn();
    } catch (err) {
      error.textContent = (err as Error).message;
    } finally {
      connectButton.disabled = disconnectButton.disabled = false;
    }
  };
  connectButton.addEventListener('click', () => void run(() => handlers.connect(chosenUrl(), registration.value as 'auto' | 'dcr')));
  disconnectButton.addEventListener('click', () => void run(() => handlers.disconnect()));

  const root = h('section', { class: 'panel connection', testid: 'connection-panel' },
    h('div', { class: 'panel-head' }, h('h2', {}, 'MCP server')),
    h('div', { class: 'conn-form' },
      h('label', {}, h('span', {}, 'Server'), select),
      urlInput,
      h('label', {}, h('span', {}, 'Registration'), registration),
      h('div', { class: 'conn-buttons' }, connectButton, disconnectButton)),
    error,
    status,
  );

  let populated = false;
  function update(view: SessionView) {
    if (!populated) {
      populated = true;
      for (const s of view.servers) select.append(h('option', { value: s.url }, `${s.label} — ${s.url}`));
      select.append(h('option', { value: CUSTOM }, 'Custom URL…'));
      const current = view.session?.mcpUrl ?? view.defaults.mcpUrl;
      if (view.servers.some((s) => s.url === current)) select.value = current;
      else {
        select.value = CUSTOM;
        urlInput.value = current;
      }
      registration.value = view.defaults.registration;
    }
    urlInput.hidden = select.value !== CUSTOM;
    const s = view.session;
    disconnectButton.hidden = !s;
    connectButton.textContent = s?.connected ? 'Reconnect' : 'Connect';
    clear(status);
    if (!s) {
      status.append(h('p', { class: 'muted' }, `Not connected. The host registers as `, h('code', {}, view.host.clientMetadataUrl),
        ' (its Client ID Metadata Document) where the auth server supports it.'));
      return;
    }
    const auth = s.auth;
    status.append(h('dl', { class: 'facts' },
      h('dt', {}, 'Server'), h('dd', {}, s.server ? `${s.server.title ?? s.server.name} (v${s.server.version})` : '—', h('br'), h('code', { class: 'small' }, s.mcpUrl)),
      h('dt', {}, 'Client'), h('dd', {},
        auth.registration ? h('span', { class: `badge reg reg-${auth.registration}`, testid: 'registration-method' }, auth.registration === 'cimd' ? 'CIMD' : 'DCR') : h('span', { class: 'muted', testid: 'registration-method' }, 'not registered yet'),
        auth.clientId ? [' ', h('code', { class: 'small', testid: 'client-id' }, auth.clientId)] : null),
      h('dt', {}, 'User'), h('dd', { testid: 'auth-state', 'data-signed-in': String(auth.signedIn) },
        auth.signedIn ? auth.user ?? 'signed in' : s.signInPending ? 'sign-in in progress…' : 'not signed in'),
      auth.scope ? [h('dt', {}, 'Scope'), h('dd', {}, auth.scope.split(' ').map((x) => h('span', { class: 'scope-chip' }, x)))] : null,
    ));
    if (auth.claims) {
      status.append(h('details', { class: 'token-details' }, h('summary', {}, 'Host’s access token (decoded claims)'), claimsCard('Host → MCP server token', auth.claims)));
    }
  }

  return { root, update };
}
