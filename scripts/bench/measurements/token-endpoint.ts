// Token endpoint throughput against an auth server in its own child process (the load generator runs
// here, so each side gets one of the two cores). Cases: RFC 8693 token exchange by the mcp-server
// client with a real user MCP token as subject, and client_credentials for the API, each at 1 and 16
// concurrent keep-alive connections. Every exchange presents the same subject token, as an MCP server
// does for one user's session, so the server's verified-token cache is warm.
import { basicAuth, userMcpToken } from '../../../test-support/tokens.js';
import { processCpuMs } from '../cpu.js';
import { removeDir, spawnStack, stackEnv, stopStack, tempDataDir, waitForDiscovery } from '../children.js';
import { runLoad, tryOnce, withBody, type LoadTarget } from '../http-load.js';
import { loadCaseRow } from '../load-row.js';
import { errorRow, type Measurement, type Row } from '../types.js';

const NAME = 'token endpoint';
const CONCURRENCY = [1, 16];
const DURATION_MS = 3000;
const WARMUP_MS = 500;
/** once per server, per case, before any measured case (see below) */
const SERVER_WARMUP_MS = 1000;

const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

interface Case {
  /** metric key prefix, e.g. "token-exchange" → "token-exchange.rps@16" */
  key: string;
  label: string;
  form: Record<string, string>;
}

const hasAccessToken = (_status: number, body: string) => (body.includes('"access_token"') ? undefined : `200 without access_token: ${body.slice(0, 120)}`);

export const tokenEndpoint: Measurement = {
  name: NAME,
  async run(ctx) {
    const dir = tempDataDir();
    const child = spawnStack(await stackEnv(dir, { REGISTRATION_RATE_LIMIT: '1000' }), ['auth-server']);
    const rows: Row[] = [];
    try {
      await waitForDiscovery(child);
      const { config } = child;
      const { accessToken } = await userMcpToken(config);
      const cases: Case[] = [
        {
          key: 'token-exchange',
          label: 'token exchange (mcp-server, basic, 1 subject)',
          form: { grant_type: TOKEN_EXCHANGE, subject_token: accessToken, subject_token_type: ACCESS_TOKEN_TYPE, resource: config.apiResource },
        },
        {
          key: 'client-credentials',
          label: 'client_credentials (mcp-server → API)',
          form: { grant_type: 'client_credentials', resource: config.apiResource, scope: 'portfolio:read' },
        },
      ];
      const issuer = new URL(config.auth.publicUrl);
      const ready: { c: Case; target: LoadTarget }[] = [];
      for (const c of cases) {
        const target: LoadTarget = withBody(
          {
            host: '127.0.0.1',
            port: config.auth.port,
            path: `${issuer.pathname.replace(/\/$/, '')}/token`,
            method: 'POST',
            headers: {
              host: issuer.host,
              'content-type': 'application/x-www-form-urlencoded',
              authorization: basicAuth('mcp-server', config.mcpServerClientSecret),
            },
            check: hasAccessToken,
          },
          new URLSearchParams(c.form).toString(),
        );
        const problem = await tryOnce(target);
        if (!problem) ready.push({ c, target });
        else for (const n of CONCURRENCY) rows.push(errorRow(NAME, `${c.label} @${n}`, new Error(problem)));
      }

      // A fresh server runs its code unoptimized until V8 has compiled the hot paths (on background
      // threads that count as server CPU): without this, whichever case ran first looked ~2x slower.
      for (const { target } of ready) await runLoad(target, { concurrency: 16, durationMs: SERVER_WARMUP_MS, warmupMs: 0 });

      for (const { c, target } of ready) {
        for (const concurrency of CONCURRENCY) {
          rows.push(await loadCaseRow(ctx, {
            measurement: NAME,
            case: `${c.label} @${concurrency}`,
            source: target,
            options: { concurrency, durationMs: DURATION_MS, warmupMs: WARMUP_MS, serverCpuMs: () => processCpuMs(child.proc.pid) },
            unit: 'req',
            target: 'all 200',
            record: (r) => {
              ctx.metrics.set(`${c.key}.rps@${concurrency}`, r.rps);
              if (r.serverCpuMsPerRequest !== undefined) ctx.metrics.set(`${c.key}.server_cpu_ms_per_req@${concurrency}`, r.serverCpuMsPerRequest);
            },
          }));
        }
      }
    } finally {
      await stopStack(child);
      removeDir(dir);
    }
    return rows;
  },
};
