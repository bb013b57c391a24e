// Starts real services in this process on free ports with a fresh data folder, for tests and benchmarks.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type StackConfig } from '../common/config.js';
import { startAuthServer, type RunningService } from '../auth-server/server.js';
import { startMcpServer } from '../mcp-server/server.js';
import { startPortfolioApi } from '../portfolio-api/server.js';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface TestStack {
  config: StackConfig;
  dataDir: string;
  /** stops the services; the data folder stays until cleanup() */
  stop(): Promise<void>;
  /** starts the services again on the same ports and data (restart survival tests) */
  restart(): Promise<void>;
  cleanup(): Promise<void>;
}

export type ServiceName = 'auth-server' | 'mcp-server' | 'portfolio-api';
const starters: Record<ServiceName, (c: StackConfig) => Promise<RunningService>> = {
  'auth-server': startAuthServer,
  'mcp-server': startMcpServer,
  'portfolio-api': startPortfolioApi,
};

export async function startTestStack(services: ServiceName[] = ['auth-server'], env: Record<string, string> = {}): Promise<TestStack> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-auth-lab-'));
  const config = loadConfig({
    ...process.env,
    AUTH_PORT: String(await freePort()),
    MCP_PORT: String(await freePort()),
    API_PORT: String(await freePort()),
    HOST_PORT: String(await freePort()),
    DATA_DIR: dataDir,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    REGISTRATION_RATE_LIMIT: '1000',
    ...env,
  });
  let running: RunningService[] = [];
  const start = async () => {
    for (const name of services) running.push(await starters[name](config));
  };
  const stop = async () => {
    await Promise.allSettled(running.reverse().map((s) => s.close()));
    running = [];
  };
  await start();
  return {
    config,
    dataDir,
    stop,
    async restart() {
      await stop();
      // let fetch's pooled keep-alive sockets see the close, or the next request reuses one and fails
      await new Promise((r) => setTimeout(r, 20));
      await start();
    },
    async cleanup() {
      await stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
