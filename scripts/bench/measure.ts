/** Requests per second between the first and the last arrival. */
export function achievedRate(arrivals: readonly number[]): number {
  if (arrivals.length < 2) return 0;
  const sorted = [...arrivals].sort((a, b) => a - b);
  return ((sorted.length - 1) * 1000) / (sorted.at(-1)! - sorted[0]!);
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export const fixed = (value: number, digits = 2) => value.toFixed(digits);
