// The portfolio widget as MCP hosts see it: a public text/html+skybridge resource that tools point at,
// one self-contained HTML document (the host's sandbox gives it no network), built from mcp-server/widget.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connectMcp } from '../../test-support/mcp.js';
import { startTestStack, type TestStack } from '../../test-support/stack.js';
import { DEFAULT_WIDGET_FILE, loadWidgetResources } from '../widget-resource.js';

const URI = 'ui://widget/portfolio.html';
const WIDGET_TOOLS = ['get_portfolio', 'buy_stock', 'sell_stock', 'continue_authorization'];

describe('portfolio widget resource', () => {
  let stack: TestStack;
  let mcpUrl: string;
  before(async () => {
    stack = await startTestStack(['auth-server', 'portfolio-api', 'mcp-server']);
    mcpUrl = stack.config.mcpResource;
  });
  after(() => stack.cleanup());

  const expectWidgetMeta = (meta: any) => {
    assert.equal(typeof meta['openai/widgetDescription'], 'string');
    assert.ok(meta['openai/widgetDescription'].length > 20, 'a real sentence for the model');
    assert.equal(meta['openai/widgetPrefersBorder'], true);
    assert.deepEqual(meta['openai/widgetCSP'], { connect_domains: [], resource_domains: [] });
  };

  it('anyone can list and read the widget (no token), as text/html+skybridge with its _meta', async () => {
    const { client } = await connectMcp(mcpUrl);
    try {
      assert.ok(client.getServerCapabilities()?.resources, 'resources capability announced');
      const { resources } = await client.listResources();
      const listed: any = resources.find((r) => r.uri === URI);
      assert.ok(listed, `listed: ${JSON.stringify(resources)}`);
      assert.equal(listed.mimeType, 'text/html+skybridge');
      expectWidgetMeta(listed._meta);

      const { contents } = await client.readResource({ uri: URI });
      assert.equal(contents.length, 1);
      const widget: any = contents[0];
      assert.equal(widget.uri, URI);
      assert.equal(widget.mimeType, 'text/html+skybridge');
      expectWidgetMeta(widget._meta);
      assert.equal(widget.text, fs.readFileSync(DEFAULT_WIDGET_FILE, 'utf8'), 'serves the built file');

      await assert.rejects(client.readResource({ uri: 'ui://widget/nope.html' }), /Unknown resource/);
    } finally {
      await client.close();
    }
  });

  it('reading the widget needs no token even without an MCP session (raw JSON-RPC)', async () => {
    const res = await fetch(mcpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-06-18' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'resources/read', params: { uri: URI } }),
    });
    assert.equal(res.status, 200);
    const body: any = await res.json();
    assert.equal(body.result.contents[0].mimeType, 'text/html+skybridge');
  });

  it('the widget tools point at the template; search_stocks is callable from the widget', async () => {
    const { client } = await connectMcp(mcpUrl);
    try {
      const { tools } = await client.listTools();
      const byName = new Map(tools.map((t) => [t.name, t as any]));
      for (const name of WIDGET_TOOLS) {
        const meta = byName.get(name)._meta;
        assert.equal(meta['openai/outputTemplate'], URI, name);
        assert.equal(typeof meta['openai/toolInvocation/invoking'], 'string', name);
        assert.equal(typeof meta['openai/toolInvocation/invoked'], 'string', name);
        assert.equal(meta['openai/widgetAccessible'], true, name);
        assert.ok(meta.securitySchemes, `${name} keeps its security schemes`);
      }
      assert.equal(byName.get('continue_authorization')._meta['openai/visibility'], 'private');
      const search = byName.get('search_stocks')._meta;
      assert.equal(search['openai/outputTemplate'], undefined);
      assert.equal(search['openai/widgetAccessible'], true);
    } finally {
      await client.close();
    }
  });
});

describe('portfolio widget bundle', () => {
  const html = fs.readFileSync(DEFAULT_WIDGET_FILE, 'utf8');

  it('is one self-contained document: inline script and styles, nothing loaded from anywhere', () => {
    assert.match(html, /^<!doctype html>/i);
    assert.match(html, /<script>[\s\S]{1000,}<\/script>/, 'the bundle is inline');
    assert.match(html, /<style>[\s\S]{500,}<\/style>/, 'the styles are inline');
    assert.equal(html.match(/<script\b/gi)?.length, 1, 'exactly one script element');
    assert.equal(html.match(/<\/script/gi)?.length, 1, 'the bundle never closes its own script element');
    for (const external of [/\bsrc\s*=\s*["']?https?:/i, /\bhref\s*=\s*["']?https?:/i, /<link\b/i, /@import/i, /url\(\s*["']?https?:/i]) {
      assert.doesNotMatch(html, external);
    }
    // the widget talks only to window.openai: no network APIs of its own (its CSP allows no domains)
    for (const api of ['fetch(', 'XMLHttpRequest', 'WebSocket', 'EventSource', 'sendBeacon']) {
      assert.ok(!html.includes(api), `uses ${api}`);
    }
  });

  it('wires the bridge: globals events, the tools it calls, and the state it keeps', () => {
    for (const needle of ['openai:set_globals', 'setWidgetState', 'callTool', 'toolOutput', 'widgetState', 'theme', 'displayMode',
      'get_portfolio', 'search_stocks', 'buy_stock', 'sell_stock', 'continue_authorization', 'trade_id', 'seconds_left', 'binding_message']) {
      assert.ok(html.includes(needle), `bundle mentions ${needle}`);
    }
    for (const testid of ['holding-', 'cash', 'quantity-input', 'submit-trade', 'buy-', 'sell-', 'pending-approval', 'binding-message', 'qr-code',
      'countdown', 'trade-result', 'trade-error', 'back-button']) {
      assert.ok(html.includes(`"${testid}`) || html.includes(`\`${testid}`), `data-testid ${testid}`);
    }
    assert.match(html, /data-theme=['"]?dark/i, 'has a dark theme');
  });

  it('a missing build is a clear start-up error', () => {
    const missing = path.join(os.tmpdir(), 'no-such-dir', 'portfolio.html');
    assert.throws(() => loadWidgetResources(missing), /run npm run build/);
  });
});
