// MCP tool calls through the whole chain, against the real stack (auth server, portfolio API, MCP
// server) in one child process:
//  - get_portfolio (protected): auth gate → JWT verify → revocation check → token exchange (cached)
//    → PDP → portfolio API
//  - search_stocks (public, no token): PDP → portfolio API
// each at 1 and 16 concurrent sessions (one keep-alive connection each), with a real user token from
// the sign-in and consent pages. Every answer must be HTTP 200 with a JSON-RPC result that is not a
// tool error. The ratio rows say what the protection costs: protected p50 / public p50.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { userMcpToken } from '../../../test-support/tokens.js';
import { MCP_STACK, removeDir, spawnStack, stackEnv, stopStack, tempDataDir, waitForMcpStack } from '../children.js';
import { processCpuMs } from '../cpu.js';
import { runLoad, type LoadResult } from '../http-load.js';
import { loadDetail, SKIPPED } from '../load-row.js';
import { callTool, toolCallFactory, type ToolCall } from '../mcp-calls.js';
import { ms, perSecond } from '../stats.js';
import { errorRow, type Measurement, type Row } from '../types.js';

const NAME = 'MCP tools/call (whole chain)';
const CONCURRENCY = [1, 16];
const DURATION_MS = 2000;
const WARMUP_MS = 400;
/** per tool, before any measured case: lets V8 optimize the hot paths and fills the exchange cache */
const SERVER_WARMUP_MS = 800;
const MAX_RATIO = 1.5;

interface Case {
  key: 'get_portfolio' | 'search_stocks';
  label: string;
  call: ToolCall;
}

export const mcpToolCalls: Measurement = {
  name: NAME,
  async run(ctx) {
    const dir = tempDataDir();
    const child = spawnStack(await stackEnv(dir), MCP_STACK);
    const rows: Row[] = [];
    try {
      await waitForMcpStack(child);
      // child.config is loadConfig over the very env the child got: same ports, secret and URLs
      const { config } = child;
      const { accessToken } = await userMcpToken(config, { scope: 'portfolio:read portfolio:trade' });
      const cases: Case[] = [
        { key: 'get_portfolio', label: 'get_portfolio (protected)', call: { tool: 'get_portfolio', args: {}, token: accessToken } },
        { key: 'search_stocks', label: 'search_stocks (public, no token)', call: { tool: 'search_stocks', args: { query: 'ACME', limit: 5 } } },
      ];

      // one call each first, so a refusal shows its message instead of "N errors"
      const ready: Case[] = [];
      const once = new http.Agent({ keepAlive: true });
      for (const c of cases) {
        try {
          await callTool(once, config, c.call);
          ready.push(c);
        } catch (err) {
          for (const n of CONCURRENCY) rows.push(errorRow(NAME, `${c.label} @${n}`, err));
        }
      }
      once.destroy();
      for (const c of ready) await runLoad(toolCallFactory(config, c.call), { concurrency: 16, durationMs: SERVER_WARMUP_MS, warmupMs: 0 });

      // interleaved (public, protected, public, protected) so drift on a busy machine hits both alike
      const results = new Map<string, LoadResult | Error>();
      for (const concurrency of CONCURRENCY) {
        for (const c of ready) {
          const key = `${c.key}@${concurrency}`;
          if (performance.now() > ctx.softDeadline) {
            results.set(key, new Error(SKIPPED));
            continue;
          }
          try {
            results.set(key, await runLoad(toolCallFactory(config, c.call), {
              concurrency, durationMs: DURATION_MS, warmupMs: WARMUP_MS, serverCpuMs: () => processCpuMs(child.proc.pid),
            }));
          } catch (err) {
            results.set(key, err as Error);
          }
        }
      }

      for (const c of ready) {
        for (const concurrency of CONCURRENCY) {
          const kase = `${c.label} @${concurrency}`;
          const r = results.get(`${c.key}@${concurrency}`);
          if (!r || r instanceof Error) {
            rows.push(errorRow(NAME, kase, r ?? new Error('not measured')));
            continue;
          }
          ctx.metrics.set(`mcp.${c.key}.p50@${concurrency}`, r.p50Ms);
          ctx.metrics.set(`mcp.${c.key}.calls_per_s@${concurrency}`, r.rps);
          rows.push({
            measurement: NAME,
            case: kase,
            result: perSecond(r.rps, 'call'),
            target: 'all 200, no isError',
            met: r.errors === 0 && r.ok > 0,
            detail: loadDetail(ctx, r),
          });
        }
      }

      for (const concurrency of CONCURRENCY) {
        const kase = `protected p50 / public p50 @${concurrency}`;
        const prot = results.get(`get_portfolio@${concurrency}`);
        const pub = results.get(`search_stocks@${concurrency}`);
        if (!prot || !pub || prot instanceof Error || pub instanceof Error || !prot.ok || !pub.ok) {
          rows.push(errorRow(NAME, kase, new Error('needs both tools measured')));
          continue;
        }
        const ratio = prot.p50Ms / pub.p50Ms;
        ctx.metrics.set(`mcp.protected_public_p50_ratio@${concurrency}`, ratio);
        // CPU per call holds even when other processes slow both cases down unevenly
        const cpu = prot.serverCpuMsPerRequest !== undefined && pub.serverCpuMsPerRequest !== undefined
          ? `; server CPU per call ${ms(prot.serverCpuMsPerRequest)} / ${ms(pub.serverCpuMsPerRequest)} = ${(prot.serverCpuMsPerRequest / pub.serverCpuMsPerRequest).toFixed(2)}×`
          : '';
        rows.push({
          measurement: NAME,
          case: kase,
          result: `${ratio.toFixed(2)}×`,
          target: `≤ ${MAX_RATIO}×`,
          met: ratio <= MAX_RATIO,
          detail: `p50 ${ms(prot.p50Ms)} / ${ms(pub.p50Ms)}; p99 ${ms(prot.p99Ms)} / ${ms(pub.p99Ms)}${cpu}`,
        });
      }
    } finally {
      await stopStack(child);
      removeDir(dir);
    }
    return rows;
  },
};
