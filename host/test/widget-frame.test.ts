// The widget document the host builds: the bridge comes first in <head>, ahead of every widget script,
// and nothing in the injected data can close the script element early.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { BridgeInit } from '../ui/protocol.js';

let buildSrcdoc: (html: string, init: BridgeInit) => string;
const init = (toolOutput: Record<string, unknown>): BridgeInit => ({
  hostOrigin: 'http://localhost:9003',
  globals: {
    theme: 'light', locale: 'en-US', displayMode: 'inline', maxHeight: 720,
    userAgent: { device: { type: 'desktop' }, capabilities: { hover: true, touch: false } },
    safeArea: { insets: { top: 0, bottom: 0, left: 0, right: 0 } },
    toolInput: {}, toolOutput, toolResponseMetadata: null, widgetState: null,
  },
});

describe('widget srcdoc', () => {
  before(async () => {
    (globalThis as any).__WIDGET_BRIDGE__ = '/*bridge*/';
    ({ buildSrcdoc } = await import('../ui/widget-frame.js'));
  });

  it('puts the bridge at the start of <head>, before the widget scripts', () => {
    const doc = buildSrcdoc('<!doctype html><html><head><script>widget()</script></head><body></body></html>', init({ a: 1 }));
    assert.ok(doc.startsWith('<!doctype html><html><head><script>window.__LAB_HOST_BRIDGE__='));
    assert.ok(doc.indexOf('/*bridge*/') < doc.indexOf('widget()'));
  });

  it('wraps a fragment in a document', () => {
    const doc = buildSrcdoc('<div id="root"></div>', init({}));
    assert.match(doc, /^<!doctype html><html><head><meta charset="utf-8"><script>/);
    assert.match(doc, /<body><div id="root"><\/div><\/body><\/html>$/);
  });

  it('cannot be broken out of by tool output', () => {
    const doc = buildSrcdoc('<html><head></head></html>', init({ name: '</script><script>alert(1)</script>' }));
    assert.doesNotMatch(doc, /<\/script><script>alert/);
    assert.match(doc, /\\u003c\/script>/);
  });
});
