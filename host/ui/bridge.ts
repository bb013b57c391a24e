// Runs INSIDE the sandboxed widget iframe (opaque origin), before the widget's own scripts: defines
// `window.openai` as the Apps SDK describes it and carries every call to the host page over
// postMessage. The globals arrive with the srcdoc (window.__LAB_HOST_BRIDGE__), so a widget can read
// toolOutput synchronously on load; later changes arrive as messages and fire `openai:set_globals`.
import type { BridgeInit, BridgeMethod, FromWidget, OpenAiGlobals, ToWidget } from './protocol.js';

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

(() => {
  const w = window as unknown as { __LAB_HOST_BRIDGE__?: BridgeInit; openai?: unknown };
  const init = w.__LAB_HOST_BRIDGE__;
  delete w.__LAB_HOST_BRIDGE__;
  if (!init || window.parent === window) return;

  const pending = new Map<number, Pending>();
  let seq = 0;
  const post = (message: FromWidget) => window.parent.postMessage(message, init.hostOrigin);

  function request(method: BridgeMethod, params: unknown): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const id = ++seq;
      pending.set(id, { resolve, reject });
      post({ labHost: 1, kind: 'request', id, method, params });
    });
  }

  const globals: OpenAiGlobals = { ...init.globals };

  function applyGlobals(changed: Partial<OpenAiGlobals>) {
    Object.assign(globals, changed);
    Object.assign(openai, changed);
    window.dispatchEvent(new CustomEvent('openai:set_globals', { detail: { globals: changed } }));
  }

  const openai = {
    ...globals,
    callTool: (name: string, args: Record<string, unknown> = {}) => request('callTool', { name, arguments: args }),
    sendFollowUpMessage: async ({ prompt }: { prompt: string }) => {
      await request('sendFollowUpMessage', { prompt: String(prompt) });
    },
    openExternal: ({ href }: { href: string }) => {
      void request('openExternal', { href: String(href) });
    },
    requestDisplayMode: (args: { mode: OpenAiGlobals['displayMode'] }) => request('requestDisplayMode', { mode: args?.mode }),
    setWidgetState: async (state: unknown) => {
      applyGlobals({ widgetState: state });
      await request('setWidgetState', { state });
    },
    notifyIntrinsicHeight: (height: number) => post({ labHost: 1, kind: 'resize', height: Math.ceil(Number(height) || 0) }),
  };
  Object.defineProperty(window, 'openai', { value: openai, configurable: false, enumerable: true, writable: false });

  window.addEventListener('message', (event: MessageEvent) => {
    // only the host page that embeds us may talk to the bridge
    if (event.source !== window.parent) return;
    const msg = event.data as ToWidget;
    if (!msg || msg.labHost !== 1) return;
    if (msg.kind === 'response') {
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      if (msg.error !== undefined) p.reject(new Error(msg.error));
      else p.resolve(msg.result);
    } else if (msg.kind === 'globals') {
      applyGlobals(msg.globals);
    }
  });

  // the host sizes the iframe to the document: report whenever the content changes size
  let lastHeight = -1;
  const report = () => {
    const height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === lastHeight) return;
    lastHeight = height;
    post({ labHost: 1, kind: 'resize', height });
  };
  const observe = () => {
    const ro = new ResizeObserver(report);
    ro.observe(document.documentElement);
    if (document.body) ro.observe(document.body);
    report();
    post({ labHost: 1, kind: 'ready' });
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', observe, { once: true });
  else observe();
  window.addEventListener('load', report);
})();
