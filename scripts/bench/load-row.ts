// Formats one load-test result for the table's details column: latencies, counts, who used the CPU.
import { recordOthersCpu } from './cpu.js';
import type { LoadResult } from './http-load.js';
import { ms } from './stats.js';
import type { BenchContext } from './types.js';

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
