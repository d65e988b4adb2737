// The statistics of `npm run bench:http`: every figure is a median over rounds, and every
// comparison a median of per-round paired ratios (two servers measured in the same round, close
// together in time), so that drift in the machine's speed over the run cancels within each pair
// and an odd round (a collection, a neighbour's burst) moves the median little.

/** The median of `values` (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** `a[i] / b[i]` for every round both have. */
export function pairedRatios(a: readonly number[], b: readonly number[]): number[] {
  return a.slice(0, Math.min(a.length, b.length)).map((value, round) => value / (b[round] as number));
}

/** "1.04x (0.98-1.10)": the median and the range of per-round ratios. */
export function describe(ratios: readonly number[]): string {
  if (ratios.length === 0) return "-";
  const range = ratios.length > 1 ? ` (${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)})` : "";
  return `${median(ratios).toFixed(2)}x${range}`;
}

/**
 * A target on a median of per-round ratios (at most `limit`), with how many rounds were on its
 * side: "1.03x <= 1.05: met (6 of 7 rounds)".
 */
export function verdict(ratios: readonly number[], limit: number): { readonly met: boolean; readonly text: string } {
  const value = median(ratios);
  const within = ratios.filter((ratio) => ratio <= limit).length;
  const met = value <= limit;
  return { met, text: `${value.toFixed(3)}x <= ${limit.toFixed(2)}: ${met ? "met" : "NOT met"} (${within} of ${ratios.length} rounds within)` };
}
