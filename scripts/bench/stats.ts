// Small numeric helpers for the bench: order statistics and human-readable numbers.

export function median(values: number[]): number {
  return percentile(values, 50);
}

/** nearest-rank percentile (p in 0..100) of the values; NaN for an empty list */
export function percentile(values: ArrayLike<number>, p: number): number {
  if (!values.length) return NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export function ms(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value >= 100 ? `${Math.round(value)} ms` : `${value.toFixed(value >= 10 ? 1 : 2)} ms`;
}

export function perSecond(value: number, unit: string): string {
  if (!Number.isFinite(value)) return 'n/a';
  return `${Math.round(value).toLocaleString('en-US')} ${unit}/s`;
}

export function pct(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(1)} %` : 'n/a';
}

export const sleep = (msec: number) => new Promise<void>((resolve) => setTimeout(resolve, msec));
