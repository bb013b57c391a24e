// Stack cold start: spawn `node dist/stack/start.js`, poll discovery every ~5 ms, time spawn → first 200.
// Two cases, interleaved so drift (page cache, thermal) hits both alike:
//  - first start: an empty data folder, so the server creates its database and generates keys
//  - warm start: the same folder again, keys and database already there (the everyday case)
import fs from 'node:fs';
import path from 'node:path';
import { removeDir, spawnStack, stackEnv, stopStack, tempDataDir, waitForDiscovery } from '../children.js';
import { median, ms } from '../stats.js';
import { errorRow, type Measurement, type Row } from '../types.js';

const NAME = 'stack start → discovery 200';
const RUNS = 5;
const TARGET_MS = 1000;

async function timedStart(dataDir: string): Promise<number> {
  const child = spawnStack(await stackEnv(dataDir));
  try {
    return await waitForDiscovery(child, { intervalMs: 5, timeoutMs: 15_000 });
  } finally {
    await stopStack(child);
  }
}

function summarize(kase: string, times: number[], failures: string[]): Row {
  if (!times.length) return errorRow(NAME, kase, new Error(failures[0] ?? 'no run completed'));
  const m = median(times);
  const runs = times.map((t) => Math.round(t)).join(', ');
  const failed = failures.length ? `; ${failures.length} failed: ${failures[0]}` : '';
  return {
    measurement: NAME,
    case: kase,
    result: `${ms(m)} median`,
    target: `≤ ${(TARGET_MS / 1000).toFixed(1)} s`,
    met: m <= TARGET_MS,
    detail: `${times.length} runs: ${runs} ms${failed}`,
  };
}

export const startup: Measurement = {
  name: NAME,
  async run(ctx) {
    const fresh: number[] = [];
    const warm: number[] = [];
    const freshFailures: string[] = [];
    const warmFailures: string[] = [];
    for (let i = 0; i < RUNS; i++) {
      const dir = tempDataDir();
      try {
        try {
          fresh.push(await timedStart(dir));
        } catch (err) {
          freshFailures.push((err as Error).message);
          warmFailures.push('skipped: the first start in this data folder failed');
          continue;
        }
        // the first start must have left its keys behind, or the "warm" case measures nothing warm
        if (!fs.existsSync(path.join(dir, 'jwks.json'))) warmFailures.push('first start left no jwks.json in the data folder');
        else {
          try {
            warm.push(await timedStart(dir));
          } catch (err) {
            warmFailures.push((err as Error).message);
          }
        }
      } finally {
        removeDir(dir);
      }
      if (performance.now() > ctx.softDeadline) break;
    }
    return [
      summarize('first start (fresh data dir, key generation)', fresh, freshFailures),
      summarize('warm start (existing data dir)', warm, warmFailures),
    ];
  },
};
