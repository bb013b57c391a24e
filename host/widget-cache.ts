// Widget templates (ui:// resources) fetched with resources/read, cached per MCP server. A fresh
// connect clears that server's entries, so a changed widget shows up without restarting the host.
const TTL_MS = 10 * 60_000;
const WIDGET_TYPES = ['text/html+skybridge', 'text/html'];

export interface ResourceReader {
  readResource(params: { uri: string }): Promise<{ contents: Array<{ uri: string; mimeType?: string; text?: string; blob?: string; _meta?: Record<string, unknown> }> }>;
}

export interface Widget {
  uri: string;
  html: string;
  mimeType: string;
  meta?: Record<string, unknown>;
}

export function createWidgetCache() {
  const servers = new Map<string, Map<string, { widget: Widget; until: number }>>();

  return {
    clear(serverUrl: string) {
      servers.delete(serverUrl);
    },
    async get(serverUrl: string, uri: string, reader: ResourceReader): Promise<Widget> {
      const cached = servers.get(serverUrl)?.get(uri);
      if (cached && cached.until > Date.now()) return cached.widget;
      const { contents } = await reader.readResource({ uri });
      const item = contents.find((c) => typeof c.text === 'string' && WIDGET_TYPES.includes(c.mimeType ?? '')) ??
        contents.find((c) => typeof c.text === 'string');
      if (!item?.text) throw new Error(`resource ${uri} has no HTML text`);
      const widget: Widget = { uri, html: item.text, mimeType: item.mimeType ?? 'text/html', meta: item._meta };
      let entries = servers.get(serverUrl);
      if (!entries) servers.set(serverUrl, (entries = new Map()));
      entries.set(uri, { widget, until: Date.now() + TTL_MS });
      return widget;
    },
  };
}

export type WidgetCache = ReturnType<typeof createWidgetCache>;
