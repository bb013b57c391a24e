// `npm run bench`: runs each named measurement in turn and prints one table. A measurement that fails
// prints its error in its row and the rest still run; child processes never outlive the bench.
// To add a measurement: write a Measurement (scripts/bench/types.ts) and put it in the list below.
// `npm run bench -- token es256` runs only the measurements whose names contain one of the words.
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { cleanUpEverything, killAllChildren } from './bench/children.js';
import { busyMachineNote } from './bench/cpu.js';
import { approvalLatency } from './bench/measurements/approval.js';
import { es256Sign, exchangeVsSign } from './bench/measurements/es256.js';
import { mcpToolCalls } from './bench/measurements/mcp-tools.js';
import { pdpEvaluation } from './bench/measurements/pdp.js';
import { startup } from './bench/measurements/startup.js';
import { tokenEndpoint } from './bench/measurements/token-endpoint.js';
import { renderTable } from './bench/table.js';
import { errorRow, type BenchContext, type Measurement, type Row } from './bench/types.js';

const measurements: Measurement[] = [
  startup,
  tokenEndpoint,
  mcpToolCalls,
  pdpEvaluation,
  approvalLatency,
  // in-process and after the children are gone, so nothing else competes for the core
  es256Sign,
  exchangeVsSign,
];

// measurements skip optional work after the soft budget (the whole list takes ~70 s on 2 cores);
// the watchdog ends a bench that hangs anyway
const SOFT_BUDGET_MS = 80_000;
const HARD_LIMIT_MS = 150_000;

process.on('exit', cleanUpEverything);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => process.exit(130)); // the exit handler cleans up
}

async function main() {
  const started = performance.now();
  const watchdog = setTimeout(() => {
    console.error(`bench: still running after ${HARD_LIMIT_MS / 1000} s, giving up`);
    process.exit(1);
  }, HARD_LIMIT_MS);
  watchdog.unref();

  const cpus = os.cpus();
  console.log(`mcp-auth-lab bench — node ${process.version}, ${cpus.length} × ${cpus[0]?.model.trim() ?? 'cpu'}, ${os.platform()} ${os.release()}, load average ${os.loadavg()[0].toFixed(2)}`);
  const ctx: BenchContext = { metrics: new Map(), softDeadline: started + SOFT_BUDGET_MS, notes: [] };
  const rows: Row[] = [];
  const only = process.argv.slice(2).map((w) => w.toLowerCase());
  const selected = only.length ? measurements.filter((m) => only.some((w) => m.name.toLowerCase().includes(w))) : measurements;
  for (const m of selected) {
    const t0 = performance.now();
    process.stderr.write(`  ${m.name} …`);
    try {
      rows.push(...(await m.run(ctx)));
    } catch (err) {
      rows.push(errorRow(m.name, '—', err));
    } finally {
      killAllChildren(); // a measurement's own cleanup should have done it; make sure
    }
    process.stderr.write(` ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  }

  console.log('');
  console.log(renderTable(rows));
  console.log('');
  const busy = busyMachineNote(ctx.metrics);
  if (busy) ctx.notes.push(busy);
  for (const note of new Set(ctx.notes)) console.log(`note: ${note}`);
  console.log(`bench finished in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  clearTimeout(watchdog);
  // errors fail the run (CI notices); missed targets are reported, not fatal
  process.exitCode = rows.some((r) => r.result === 'ERROR') ? 1 : 0;
}

main().catch((err) => {
  console.error('bench failed:', err);
  process.exit(1);
});
