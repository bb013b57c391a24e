// A closed-loop HTTP load generator: `concurrency` workers each send one request, wait for the whole
// answer, send the next. Each worker is one session with its own keep-alive connection (a node:http
// Agent with one socket, kept from warm-up to the end; cheaper in CPU than fetch, which matters when
// the generator shares a 2-core machine with the server). The requests are one fixed target or come
// from a factory (a fresh JSON-RPC id per call, say). Bounded by time, by request count and by error
// count.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { machineBusyMs, ownCpuMs } from './cpu.js';
import { percentile } from './stats.js';

export interface LoadTarget {
  host: string;
  port: number;
  path: string;
  method: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** returns a problem description for a bad answer, undefined for a good one */
  check(status: number, body: string): string | undefined;
}

/** one fixed request, or a factory called for every request with its sequence number (from 0) */
export type LoadSource = LoadTarget | ((seq: number) => LoadTarget);

export interface LoadOptions {
  concurrency: number;
  durationMs: number;
  warmupMs: number;
  /** hard cap on requests in the measured phase */
  maxRequests?: number;
  /** stop early after this many errors (a broken server answers errors very fast) */
  maxErrors?: number;
  requestTimeoutMs?: number;
  /** CPU time (ms) the server process has used so far, to report its load over the measured phase */
  serverCpuMs?: () => number | undefined;
}

export interface LoadResult {
  ok: number;
  errors: number;
  /** a few distinct error descriptions */
  errorSamples: string[];
  elapsedMs: number;
  /** successful requests per second */
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** the generator's own CPU use over the measured phase, % of one core */
  loadgenCpuPct: number;
  /** the server's CPU use over the measured phase, % of one core (when serverCpuMs was given) */
  serverCpuPct?: number;
  /** the server's CPU time per successful request (ms): its cost, whatever else competes for the cores */
  serverCpuMsPerRequest?: number;
  /** CPU used by every other process on the machine over the measured phase, % of one core */
  othersCpuPct?: number;
}

export interface Answer {
  status: number;
  body: string;
}

/** one request over the agent; rejects on network errors and timeouts */
export function send(agent: http.Agent, target: LoadTarget, timeoutMs = 5000): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { agent, host: target.host, port: target.port, path: target.path, method: target.method, headers: target.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(target.body);
  });
}

/** the load's verdict on one answer: undefined when good, else what was wrong */
function problemWith(target: LoadTarget, answer: Answer): string | undefined {
  return answer.status === 200 ? target.check(answer.status, answer.body) : `HTTP ${answer.status}: ${answer.body}`;
}

/** one request on its own connection, judged as the load would judge it: a refusal shows its message, not "N errors" */
export async function tryOnce(target: LoadTarget): Promise<string | undefined> {
  const agent = new http.Agent();
  try {
    return problemWith(target, await send(agent, target));
  } catch (err) {
    return (err as Error).message;
  } finally {
    agent.destroy();
  }
}

/** fills in content-length once so every request reuses the same header object */
export function withBody(target: Omit<LoadTarget, 'body'>, body: string): LoadTarget {
  const buf = Buffer.from(body);
  return { ...target, body: buf, headers: { ...target.headers, 'content-length': String(buf.length) } };
}

async function phase(agents: http.Agent[], source: LoadSource, o: Required<LoadOptions>, durationMs: number, latencies?: Float64Array) {
  const endAt = performance.now() + durationMs;
  const next = typeof source === 'function' ? source : () => source;
  let issued = 0;
  let ok = 0;
  let errors = 0;
  const samples = new Set<string>();
  const fail = (why: string) => {
    errors++;
    if (samples.size < 3) samples.add(why.slice(0, 200));
  };
  const worker = async (agent: http.Agent) => {
    while (performance.now() < endAt && issued < o.maxRequests && errors < o.maxErrors) {
      const target = next(issued++);
      const started = performance.now();
      try {
        const problem = problemWith(target, await send(agent, target, o.requestTimeoutMs));
        if (problem) fail(problem);
        else {
          if (latencies && ok < latencies.length) latencies[ok] = performance.now() - started;
          ok++;
        }
      } catch (err) {
        fail((err as Error).message);
      }
    }
  };
  const t0 = performance.now();
  await Promise.all(agents.map(worker));
  return { ok, errors, samples: [...samples], elapsedMs: performance.now() - t0 };
}

export async function runLoad(source: LoadSource, options: LoadOptions): Promise<LoadResult> {
  const o: Required<LoadOptions> = { maxRequests: 500_000, maxErrors: 1000, requestTimeoutMs: 5000, serverCpuMs: () => undefined, ...options };
  // one agent with one socket per worker: a session keeps its own connection, as a real client would
  const agents = Array.from({ length: o.concurrency }, () => new http.Agent({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1 }));
  try {
    // warm-up: opens the keep-alive connections and lets both sides' JITs settle; not counted
    await phase(agents, source, o, o.warmupMs);
    const latencies = new Float64Array(o.maxRequests);
    const server0 = o.serverCpuMs();
    const machine0 = machineBusyMs();
    const own0 = ownCpuMs();
    const r = await phase(agents, source, o, o.durationMs, latencies);
    const own = ownCpuMs() - own0;
    const machine1 = machineBusyMs();
    const server1 = o.serverCpuMs();
    const share = (cpuMs: number) => (cpuMs / r.elapsedMs) * 100;
    const server = server0 !== undefined && server1 !== undefined ? server1 - server0 : undefined;
    const machine = machine0 !== undefined && machine1 !== undefined ? machine1 - machine0 : undefined;
    const measured = latencies.subarray(0, Math.min(r.ok, latencies.length));
    return {
      ok: r.ok,
      errors: r.errors,
      errorSamples: r.samples,
      elapsedMs: r.elapsedMs,
      rps: (r.ok * 1000) / r.elapsedMs,
      p50Ms: percentile(measured, 50),
      p99Ms: percentile(measured, 99),
      loadgenCpuPct: share(own),
      serverCpuPct: server === undefined ? undefined : share(server),
      serverCpuMsPerRequest: server === undefined || !r.ok ? undefined : server / r.ok,
      othersCpuPct: server === undefined || machine === undefined ? undefined : Math.max(0, share(machine - server - own)),
    };
  } finally {
    for (const agent of agents) agent.destroy();
  }
}
