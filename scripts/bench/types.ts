// The shape every measurement shares: it runs once, returns rows for the table, and may publish
// numbers (metrics) that a later measurement combines (the ratio row reads two of them).

export interface Row {
  measurement: string;
  case: string;
  /** the headline number, already formatted ("812 ms", "1 234 req/s") or "ERROR" */
  result: string;
  /** the goal in words ("≤ 1.0 s"), empty when there is none */
  target?: string;
  /** whether the target was met; undefined when there is no target or no result */
  met?: boolean;
  /** latencies, counts, CPU use, or the error message */
  detail?: string;
}

export interface BenchContext {
  /** numbers measurements publish for later ones, e.g. "token-exchange.rps@16" */
  metrics: Map<string, number>;
  /** ms timestamp (performance.now()) after which measurements should cut optional work short */
  softDeadline: number;
  /** lines printed under the table (e.g. "other processes were busy, numbers are low") */
  notes: string[];
}

export interface Measurement {
  name: string;
  run(ctx: BenchContext): Promise<Row[]>;
}

export function errorRow(measurement: string, kase: string, err: unknown): Row {
  const message = err instanceof Error ? err.message : String(err);
  return { measurement, case: kase, result: 'ERROR', detail: message.replace(/\s+/g, ' ').slice(0, 300) };
}
