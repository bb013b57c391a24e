// How a tool result looks when there is no widget for it: its text, a small table when the structured
// content is a list of rows, and the raw structuredContent / _meta for the curious.
import { h } from './dom.js';
import type { ToolResult } from './protocol.js';

export function resultText(result: ToolResult): string {
  return (result.content ?? []).filter((c) => c.type === 'text' && typeof c.text === 'string').map((c) => c.text).join('\n');
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** the first array of flat objects in the structured content, as a table */
function table(structured: Record<string, unknown>): HTMLElement | null {
  const entry = Object.entries(structured).find(([, v]) => Array.isArray(v) && v.length > 0 && v.every((r) => r && typeof r === 'object' && !Array.isArray(r)));
  if (!entry) return null;
  const rows = entry[1] as Record<string, unknown>[];
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))].filter((c) => rows.some((r) => typeof r[c] !== 'object')).slice(0, 7);
  return h('div', { class: 'result-table-wrap' },
    h('table', { class: 'result-table', testid: 'result-table' },
      h('thead', {}, h('tr', {}, columns.map((c) => h('th', {}, c)))),
      h('tbody', {}, rows.slice(0, 50).map((r) => h('tr', {}, columns.map((c) => h('td', { class: typeof r[c] === 'number' ? 'num' : undefined }, cell(r[c])))))),
    ));
}

export function rawDetails(result: ToolResult): HTMLElement | null {
  if (!result.structuredContent && !result._meta) return null;
  const parts: Record<string, unknown> = {};
  if (result.structuredContent) parts.structuredContent = result.structuredContent;
  if (result._meta) parts._meta = result._meta;
  return h('details', { class: 'raw', testid: 'raw-result' },
    h('summary', {}, 'structuredContent & _meta'),
    h('pre', {}, JSON.stringify(parts, null, 2)));
}

export function fallbackView(result: ToolResult): HTMLElement | null {
  return result.structuredContent && !result.isError ? table(result.structuredContent) : null;
}
