// The host page's side of a widget: a sandboxed iframe (allow-scripts only, so it runs in an opaque
// origin and can reach neither this page nor the host's cookies) whose srcdoc is the widget HTML with
// the bridge injected ahead of it. Messages are accepted only from that iframe's own window.
import type { BridgeInit, BridgeMethod, FromWidget, OpenAiGlobals, ToWidget } from './protocol.js';

declare const __WIDGET_BRIDGE__: string;

export interface WidgetHandlers {
  callTool(name: string, args: Record<string, unknown>): Promise<unknown>;
  sendFollowUpMessage(prompt: string): Promise<void>;
  openExternal(href: string): void;
  requestDisplayMode(mode: OpenAiGlobals['displayMode']): Promise<OpenAiGlobals['displayMode']>;
  setWidgetState(state: unknown): void;
}

export interface MountedWidget {
  iframe: HTMLIFrameElement;
  setGlobals(globals: Partial<OpenAiGlobals>): void;
  destroy(): void;
}

const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

/** the widget document with the bridge placed first in <head>, before any widget script */
export function buildSrcdoc(html: string, init: BridgeInit): string {
  const bridge = `<script>window.__LAB_HOST_BRIDGE__=${scriptJson(init)};</script><script>${__WIDGET_BRIDGE__}</script>`;
  const head = /<head(\s[^>]*)?>/i.exec(html);
  if (head) return html.slice(0, head.index + head[0].length) + bridge + html.slice(head.index + head[0].length);
  const root = /<html(\s[^>]*)?>/i.exec(html);
  if (root) return `${html.slice(0, root.index + root[0].length)}<head>${bridge}</head>${html.slice(root.index + root[0].length)}`;
  return `<!doctype html><html><head><meta charset="utf-8">${bridge}</head><body>${html}</body></html>`;
}

function isBridgeMessage(data: unknown): data is FromWidget {
  return typeof data === 'object' && data !== null && (data as { labHost?: unknown }).labHost === 1;
}

export function mountWidget(container: HTMLElement, html: string, init: BridgeInit, handlers: WidgetHandlers, title: string): MountedWidget {
  const iframe = document.createElement('iframe');
  iframe.setAttribute('sandbox', 'allow-scripts');
  iframe.setAttribute('data-testid', 'widget-frame');
  iframe.title = title;
  iframe.className = 'widget-frame';
  iframe.style.height = '160px';
  iframe.srcdoc = buildSrcdoc(html, init);
  container.appendChild(iframe);
  let maxHeight = init.globals.maxHeight;

  const send = (message: ToWidget) => iframe.contentWindow?.postMessage(message, '*'); // an opaque origin has no name to target

  async function answer(id: number, method: BridgeMethod, params: any) {
    try {
      let result: unknown;
      switch (method) {
        case 'callTool':
          if (typeof params?.name !== 'string') throw new Error('callTool needs a tool name');
          result = await handlers.callTool(params.name, params.arguments && typeof params.arguments === 'object' ? params.arguments : {});
          break;
        case 'sendFollowUpMessage':
          await handlers.sendFollowUpMessage(String(params?.prompt ?? ''));
          break;
        case 'openExternal':
          handlers.openExternal(String(params?.href ?? ''));
          break;
        case 'requestDisplayMode':
          result = { mode: await handlers.requestDisplayMode(params?.mode) };
          break;
        case 'setWidgetState':
          handlers.setWidgetState(params?.state);
          break;
        default:
          throw new Error(`unknown bridge method ${String(method)}`);
      }
      send({ labHost: 1, kind: 'response', id, result });
    } catch (err) {
      send({ labHost: 1, kind: 'response', id, error: (err as Error).message || 'failed' });
    }
  }

  const onMessage = (event: MessageEvent) => {
    // the only trustworthy sender check for an opaque-origin frame: is it this iframe's window?
    if (event.source !== iframe.contentWindow || !isBridgeMessage(event.data)) return;
    const msg = event.data;
    if (msg.kind === 'resize' && Number.isFinite(msg.height)) {
      iframe.style.height = `${Math.max(40, Math.min(msg.height, maxHeight))}px`;
    } else if (msg.kind === 'request' && typeof msg.id === 'number') {
      void answer(msg.id, msg.method, msg.params);
    }
  };
  window.addEventListener('message', onMessage);

  return {
    iframe,
    setGlobals(globals) {
      if (typeof globals.maxHeight === 'number') maxHeight = globals.maxHeight;
      send({ labHost: 1, kind: 'globals', globals });
    },
    destroy() {
      window.removeEventListener('message', onMessage);
      iframe.remove();
    },
  };
}
