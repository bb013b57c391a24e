// Policy decision point throughput: POST /access/v1/evaluation on an auth server in its own child
// process, authenticated as the mcp-server client (HTTP Basic), with the AuthZEN body the MCP server
// sends for a buy_stock call of 120 EUR (below the approval threshold: a plain permit), at 1 and 16
// keep-alive connections.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { basicAuth } from '../../../test-support/tokens.js';
import { removeDir, spawnStack, stackEnv, stopStack, tempDataDir, waitForDiscovery } from '../children.js';
import { processCpuMs } from '../cpu.js';
import { runLoad, send, withBody, type LoadTarget } from '../http-load.js';
import { loadDetail } from '../load-row.js';
import { perSecond } from '../stats.js';
import { errorRow, type Measurement, type Row } from '../types.js';

const NAME = 'PDP evaluation';
const CONCURRENCY = [1, 16];
const DURATION_MS = 2000;
const WARMUP_MS = 400;
const SERVER_WARMUP_MS = 800;

/** the shape pdp-client.ts builds: subject from the host token's claims, the tool, the priced order */
function buyRequest() {
  return {
    subject: {
      type: 'user',
      id: 'alice@demo.example',
      properties: {
        scope: 'portfolio:read portfolio:trade', client_id: 'bench-agent', client_type: 'mcp', client_assurance_level: 1, act: { sub: 'bench-agent' },
      },
    },
    action: { name: 'buy_stock' },
    // 1 UMBR at 131.40 USD
    resource: { type: 'mcp_tool', id: 'buy_stock', properties: { symbol: 'UMBR', side: 'buy', quantity: 1, total: 131.4, currency: 'USD', total_eur: 120 } },
    context: { time: new Date().toISOString() },
  };
}

/** a permit without the user_approval obligation, as the policy says for 120 EUR */
function plainPermit(_status: number, body: string): string | undefined {
  try {
    const d = JSON.parse(body);
    if (d.decision !== true) return `not a permit: ${body.slice(0, 160)}`;
    if (d.context?.obligations?.length) return `unexpected obligations: ${body.slice(0, 160)}`;
    return undefined;
  } catch {
    return `not JSON: ${body.slice(0, 120)}`;
  }
}

export const pdpEvaluation: Measurement = {
  name: NAME,
  async run(ctx) {
    const dir = tempDataDir();
    const child = spawnStack(await stackEnv(dir), ['auth-server']);
    const rows: Row[] = [];
    try {
      await waitForDiscovery(child);
      const { config } = child;
      const issuer = new URL(config.auth.publicUrl);
      const target: LoadTarget = withBody(
        {
          host: '127.0.0.1',
          port: config.auth.port,
          path: `${issuer.pathname.replace(/\/$/, '')}/access/v1/evaluation`,
          method: 'POST',
          headers: {
            host: issuer.host,
            'content-type': 'application/json',
            authorization: basicAuth('mcp-server', config.mcpServerClientSecret),
          },
          check: plainPermit,
        },
        JSON.stringify(buyRequest()),
      );
      const once = new http.Agent();
      const preflight = await send(once, target).catch((err: Error) => ({ status: 0, body: err.message }));
      once.destroy();
      const problem = preflight.status === 200 ? plainPermit(200, preflight.body) : `HTTP ${preflight.status}: ${preflight.body}`;
      if (problem) throw new Error(problem);

      await runLoad(target, { concurrency: 16, durationMs: SERVER_WARMUP_MS, warmupMs: 0 });
      for (const concurrency of CONCURRENCY) {
        const kase = `buy_stock 120 EUR → permit @${concurrency}`;
        if (performance.now() > ctx.softDeadline) {
          rows.push(errorRow(NAME, kase, new Error('skipped: bench time budget used up')));
          continue;
        }
        try {
          const r = await runLoad(target, {
            concurrency, durationMs: DURATION_MS, warmupMs: WARMUP_MS, serverCpuMs: () => processCpuMs(child.proc.pid),
          });
          ctx.metrics.set(`pdp.rps@${concurrency}`, r.rps);
          rows.push({
            measurement: NAME,
            case: kase,
            result: perSecond(r.rps, 'req'),
            target: 'all 200 permit',
            met: r.errors === 0 && r.ok > 0,
            detail: loadDetail(ctx, r),
          });
        } catch (err) {
          rows.push(errorRow(NAME, kase, err));
        }
      }
    } finally {
      await stopStack(child);
      removeDir(dir);
    }
    return rows;
  },
};
