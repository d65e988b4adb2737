/** One measured row. */
export interface Row {
  readonly group: string;
  readonly name: string;
  /** Median operations per second over the rounds. */
  readonly opsPerSecond: number;
}

/** A named operation; `i` counts calls, so a case can feed distinct inputs. */
export type Case = readonly [name: string, op: (i: number) => unknown];

/**
 * Runs `op` for `ms` milliseconds with `inFlight` calls outstanding at any time and returns
 * operations per second.
 */
async function run(op: (i: number) => unknown, ms: number, inFlight: number, counter: { i: number }): Promise<number> {
  const start = performance.now();
  const until = start + ms;
  let done = 0;
  const worker = async () => {
    while (performance.now() < until) {
      await op(counter.i++);
      done++;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return done / ((performance.now() - start) / 1000);
}

/**
 * Measures a group of cases side by side: each case is warmed up, then all cases run in
 * interleaved rounds (rotating the order, so drift and GC pressure fall on every case alike), and
 * each case's result is its median round.
 */
export async function measureGroup(group: string, cases: readonly Case[], { rounds = 15, roundMs = 150, inFlight = 1 } = {}): Promise<Row[]> {
  const counters = cases.map(() => ({ i: 0 }));
  for (const [index, [, op]] of cases.entries()) await run(op, 250, inFlight, counters[index]!);
  const samples: number[][] = cases.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < cases.length; k++) {
      const index = (k + round) % cases.length;
      samples[index]!.push(await run(cases[index]![1], roundMs, inFlight, counters[index]!));
    }
  }
  return cases.map(([name], index) => {
    const sorted = [...samples[index]!].sort((a, b) => a - b);
    return { group, name, opsPerSecond: sorted[Math.floor(sorted.length / 2)]! };
  });
}

/** Formats one group as a markdown table with each row's ratio to its reference row. */
export function table(rows: readonly Row[], reference: (row: Row) => Row | undefined): string {
  const width = Math.max(4, ...rows.map((row) => row.name.length));
  const lines = [`| ${"case".padEnd(width)} |       ops/s |  ratio |`, `|${"-".repeat(width + 2)}|-------------|--------|`];
  for (const row of rows) {
    const ref = reference(row);
    const ratio = ref ? `${(row.opsPerSecond / ref.opsPerSecond).toFixed(2)}x` : "";
    lines.push(`| ${row.name.padEnd(width)} | ${Math.round(row.opsPerSecond).toLocaleString("en-US").padStart(11)} | ${ratio.padStart(6)} |`);
  }
  return lines.join("\n");
}
