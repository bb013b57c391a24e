// One load case as a row of the table: running it within the bench's time budget, and the details
// column (latencies, counts, who used the CPU).
import { performance } from 'node:perf_hooks';
import { recordOthersCpu } from './cpu.js';
import { runLoad, type LoadOptions, type LoadResult, type LoadSource } from './http-load.js';
import { ms, perSecond } from './stats.js';
import { errorRow, type BenchContext, type Row } from './types.js';

export const SKIPPED = 'skipped: bench time budget used up';

/** "server 95 % (0.61 ms/req), load gen 40 %, other processes 12 %" */
export function cpuDetail(r: LoadResult): string {
  return [
    r.serverCpuPct === undefined ? '' : `server ${Math.round(r.serverCpuPct)} % (${ms(r.serverCpuMsPerRequest!)}/req)`,
    `load gen ${Math.round(r.loadgenCpuPct)} %`,
    r.othersCpuPct === undefined ? '' : `other processes ${Math.round(r.othersCpuPct)} %`,
  ].filter(Boolean).join(', ');
}

/** the details column of a load case; also records other processes' CPU for the busy-machine note */
export function loadDetail(ctx: BenchContext, r: LoadResult): string {
  recordOthersCpu(ctx.metrics, r.othersCpuPct);
  const errs = r.errors ? ` e.g. ${r.errorSamples.join(' / ')}` : '';
  return `p50 ${ms(r.p50Ms)}, p99 ${ms(r.p99Ms)}, ${r.ok} ok, ${r.errors} errors in ${(r.elapsedMs / 1000).toFixed(1)} s; CPU (of one core): ${cpuDetail(r)}${errs}`;
}

export interface LoadCase {
  measurement: string;
  case: string;
  source: LoadSource;
  options: LoadOptions;
  /** what one request is, for the rate: "req", "call" */
  unit: string;
  /** the goal in words; met when every request succeeded */
  target: string;
  /** publishes the numbers later measurements combine */
  record?(r: LoadResult): void;
}

/** runs one load case into its row: skipped once the time budget is used up, an error row if it fails */
export async function loadCaseRow(ctx: BenchContext, c: LoadCase): Promise<Row> {
  if (performance.now() > ctx.softDeadline) return errorRow(c.measurement, c.case, new Error(SKIPPED));
  try {
    const r = await runLoad(c.source, c.options);
    c.record?.(r);
    return {
      measurement: c.measurement,
      case: c.case,
      result: perSecond(r.rps, c.unit),
      target: c.target,
      met: r.errors === 0 && r.ok > 0,
      detail: loadDetail(ctx, r),
    };
  } catch (err) {
    return errorRow(c.measurement, c.case, err);
  }
}
