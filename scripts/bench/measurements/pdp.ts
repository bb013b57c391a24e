// Policy decision point throughput: POST /access/v1/evaluation on an auth server in its own child
// process, authenticated as the mcp-server client (HTTP Basic), with the AuthZEN body the MCP server
// sends for a buy_stock call of 120 EUR (below the approval threshold: a plain permit), at 1 and 16
// keep-alive connections.
import { basicAuth } from '../../../test-support/tokens.js';
import { removeDir, spawnStack, stackEnv, stopStack, tempDataDir, waitForDiscovery } from '../children.js';
import { processCpuMs } from '../cpu.js';
import { runLoad, tryOnce, withBody, type LoadTarget } from '../http-load.js';
import { loadCaseRow } from '../load-row.js';
import type { Measurement, Row } from '../types.js';

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
      const problem = await tryOnce(target);
      if (problem) throw new Error(problem);

      await runLoad(target, { concurrency: 16, durationMs: SERVER_WARMUP_MS, warmupMs: 0 });
      for (const concurrency of CONCURRENCY) {
        rows.push(await loadCaseRow(ctx, {
          measurement: NAME,
          case: `buy_stock 120 EUR → permit @${concurrency}`,
          source: target,
          options: { concurrency, durationMs: DURATION_MS, warmupMs: WARMUP_MS, serverCpuMs: () => processCpuMs(child.proc.pid) },
          unit: 'req',
          target: 'all 200 permit',
          record: (r) => ctx.metrics.set(`pdp.rps@${concurrency}`, r.rps),
        }));
      }
    } finally {
      await stopStack(child);
      removeDir(dir);
    }
    return rows;
  },
};
