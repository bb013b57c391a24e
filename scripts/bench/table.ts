// Renders the bench rows as a plain-text table that reads well in a terminal and in CI logs.
import type { Row } from './types.js';

const COLUMNS: { title: string; cell: (r: Row) => string }[] = [
  { title: 'measurement', cell: (r) => r.measurement },
  { title: 'case', cell: (r) => r.case },
  { title: 'result', cell: (r) => r.result },
  { title: 'target', cell: (r) => r.target ?? '' },
  { title: 'met', cell: (r) => (r.met === undefined ? '' : r.met ? 'yes' : 'NO') },
  { title: 'details', cell: (r) => r.detail ?? '' },
];

export function renderTable(rows: Row[]): string {
  const cells = rows.map((r) => COLUMNS.map((c) => c.cell(r)));
  const widths = COLUMNS.map((c, i) => Math.max(c.title.length, ...cells.map((row) => row[i].length)));
  const line = (values: string[]) => values.map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i]))).join(' | ').trimEnd();
  const rule = widths.map((w, i) => '-'.repeat(i === widths.length - 1 ? Math.max(w, 7) : w)).join('-+-');
  const out = [line(COLUMNS.map((c) => c.title)), rule];
  let previous = '';
  for (const [i, row] of cells.entries()) {
    // a thin break between measurements keeps multi-row groups apart
    if (i > 0 && rows[i].measurement !== previous) out.push(rule);
    previous = rows[i].measurement;
    out.push(line(row));
  }
  return out.join('\n');
}
