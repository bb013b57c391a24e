// Starts real services in this process on free ports with a fresh data folder, for tests and benchmarks.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type StackConfig } from '../common/config.js';
import { loadOrCreateKeys } from '../auth-server/keys.js';
import { services as starters, type RunningService, type ServiceName } from '../stack/services.js';

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

export type { ServiceName };

// Generating an RSA key costs up to a second; tests share one key set per run instead (the first
// stack generates it, the rest copy it). Production data folders always get their own keys.
const sharedKeys = path.join(os.tmpdir(), `mcp-auth-lab-test-keys-${process.ppid}.json`);
function reuseTestKeys(dataDir: string): void {
  if (fs.existsSync(sharedKeys)) fs.copyFileSync(sharedKeys, path.join(dataDir, 'jwks.json'));
  else {
    const tmp = `${sharedKeys}.${process.pid}`;
    fs.writeFileSync(tmp, JSON.stringify(loadOrCreateKeys(dataDir)), { mode: 0o600 });
    fs.renameSync(tmp, sharedKeys); // atomic: a parallel test file never reads half a key set
  }
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


export async function startTestStack(services: ServiceName[] = ['auth-server'], env: Record<string, string> = {}): Promise<TestStack> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-auth-lab-'));
  reuseTestKeys(dataDir);
  const configure = async () => loadConfig({
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
  let config = await configure();
  let running: RunningService[] = [];
  const start = async () => {
    for (const name of services) running.push(await starters[name](config));
  };
  const stop = async () => {
    await Promise.allSettled(running.reverse().map((s) => s.close()));
    running = [];
  };
  // a free port can be taken by another process before we listen on it: then try other ports
  for (let attempt = 1; ; attempt++) {
    try {
      await start();
      break;
    } catch (err) {
      await stop();
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt === 3) {
        fs.rmSync(dataDir, { recursive: true, force: true });
        throw err;
      }
      config = await configure();
    }
  }
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
