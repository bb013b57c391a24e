// Runs the stack launcher (dist/stack/start.js) as a child process on free ports, tells when it first
// answers discovery, and stops it again. Every child is tracked so none outlives the bench, whatever
// happens (exceptions, Ctrl-C, the watchdog).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig, type ServiceAddress, type StackConfig } from '../../common/config.js';
import { repoRoot } from '../../common/paths.js';
import { freePort } from '../../test-support/stack.js';
import { sleep } from './stats.js';

export { freePort };

const launcher = path.join(repoRoot, 'dist', 'stack', 'start.js');
const live = new Set<ChildProcess>();
const tempDirs = new Set<string>();

export interface StackChild {
  proc: ChildProcess;
  env: Record<string, string>;
  config: StackConfig;
  /** performance.now() just before spawn */
  spawnedAt: number;
  exited: Promise<void>;
  /** the last few KB the child wrote to stderr (for error messages) */
  stderrTail(): string;
}

export function tempDataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-auth-lab-bench-'));
  tempDirs.add(dir);
  return dir;
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

export async function stackEnv(dataDir: string, extra: Record<string, string> = {}): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  return {
    ...env,
    AUTH_PORT: String(await freePort()),
    MCP_PORT: String(await freePort()),
    API_PORT: String(await freePort()),
    HOST_PORT: String(await freePort()),
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    ...extra,
  };
}

/** spawns `node dist/stack/start.js [services...]` with the environment */
export function spawnStack(env: Record<string, string>, services: string[] = []): StackChild {
  if (!fs.existsSync(launcher)) throw new Error(`${launcher} is missing: build first (npx tsc -p .)`);
  let tail = '';
  const spawnedAt = performance.now();
  // BENCH_CHILD_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the children (written on exit)
  const nodeArgs = (process.env.BENCH_CHILD_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const proc = spawn(process.execPath, [...nodeArgs, launcher, ...services], { env, stdio: ['ignore', 'ignore', 'pipe'], cwd: repoRoot });
  live.add(proc);
  proc.stderr!.setEncoding('utf8');
  proc.stderr!.on('data', (chunk: string) => {
    tail = (tail + chunk).slice(-4096);
  });
  const exited = new Promise<void>((resolve) => {
    proc.once('exit', () => {
      live.delete(proc);
      resolve();
    });
    // spawn failure (ENOENT, EAGAIN): no 'exit' follows
    proc.once('error', (err) => {
      tail += `\nspawn error: ${err.message}`;
      live.delete(proc);
      resolve();
    });
  });
  // the Node 20 "Unsupported runtime" notice from oidc-provider is not an error worth repeating
  const stderrTail = () => tail.split('\n').filter((l) => l.trim() && !/Unsupported runtime/.test(l)).join('\n');
  return { proc, env, config: loadConfig(env), spawnedAt, exited, stderrTail };
}

function hasExited(child: StackChild): boolean {
  return child.proc.exitCode !== null || child.proc.signalCode !== null || !live.has(child.proc);
}

/** one GET on a fresh connection; resolves the status, or 0 when nothing answers yet */
function probe(port: number, pathName: string, hostHeader: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: pathName, agent: false, headers: { host: hostHeader } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve(0));
    });
    req.setTimeout(2000, () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

/**
 * Polls GET `pathName` on one of the child's services every `intervalMs` until it answers 200.
 * Returns milliseconds from spawn to that answer. Throws if the child dies or `timeoutMs` (from spawn) passes.
 */
export async function waitForAnswer(
  child: StackChild, service: ServiceAddress, pathName: string, { intervalMs = 5, timeoutMs = 15_000 } = {},
): Promise<number> {
  const hostHeader = new URL(service.publicUrl).host;
  const giveUpAt = child.spawnedAt + timeoutMs;
  while (performance.now() < giveUpAt) {
    if (hasExited(child)) throw new Error(`stack exited before answering (code ${child.proc.exitCode}): ${child.stderrTail() || 'no stderr'}`);
    const status = await probe(service.port, pathName, hostHeader);
    if (status === 200) return performance.now() - child.spawnedAt;
    await sleep(intervalMs);
  }
  throw new Error(`no answer from ${service.publicUrl}${pathName} within ${timeoutMs} ms: ${child.stderrTail() || 'no stderr'}`);
}

/** milliseconds from spawn to the issuer's discovery document answering 200 (see waitForAnswer) */
export function waitForDiscovery(child: StackChild, options: { intervalMs?: number; timeoutMs?: number } = {}): Promise<number> {
  const issuerPath = new URL(child.config.auth.publicUrl).pathname.replace(/\/$/, '');
  return waitForAnswer(child, child.config.auth, `${issuerPath}/.well-known/openid-configuration`, options);
}

/** the services the MCP measurements need: auth server, portfolio API, MCP server (no Lab Host) */
export const MCP_STACK = ['auth-server', 'portfolio-api', 'mcp-server'];

/**
 * Waits until the MCP server answers. The launcher starts services one after another and the MCP
 * server comes last, so its answer means the whole stack is up (discovery answers long before).
 */
export function waitForMcpStack(child: StackChild, timeoutMs = 20_000): Promise<number> {
  return waitForAnswer(child, child.config.mcp, '/', { intervalMs: 20, timeoutMs });
}

/** SIGTERM, wait for exit (bounded), SIGKILL if it does not go */
export async function stopStack(child: StackChild, graceMs = 5000): Promise<void> {
  if (hasExited(child)) return;
  child.proc.kill('SIGTERM');
  const gone = await Promise.race([child.exited.then(() => true), sleep(graceMs).then(() => false)]);
  if (!gone) {
    child.proc.kill('SIGKILL');
    await Promise.race([child.exited, sleep(2000)]);
  }
}

/** last resort, synchronous: used on process exit and on signals */
export function killAllChildren(): void {
  for (const proc of live) {
    try {
      proc.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
}

/** synchronous, for process exit: children first (they hold files in the folders), then the folders */
export function cleanUpEverything(): void {
  killAllChildren();
  for (const dir of tempDirs) {
    try {
      fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      // best effort: it is under the OS temp folder anyway
    }
  }
  tempDirs.clear();
}
