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

// With --expose-gc, every round starts from a collected heap, so no case pays for the garbage
// of the case before it.
const collect = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

/** A deterministic shuffle (mulberry32), so every run measures the same orders. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    const j = Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/**
 * Measures a group of cases side by side: each case is warmed up, then all cases run in
 * interleaved rounds, in a different order each round and each from a collected heap, so drift
 * and GC pressure fall on every case alike; each case's result is its median round.
 */
export async function measureGroup(group: string, cases: readonly Case[], { rounds = 15, roundMs = 150, inFlight = 1 } = {}): Promise<Row[]> {
  const counters = cases.map(() => ({ i: 0 }));
  for (const [index, [, op]] of cases.entries()) await run(op, 250, inFlight, counters[index]!);
  const samples: number[][] = cases.map(() => []);
  const indices = cases.map((_, index) => index);
  for (let round = 0; round < rounds; round++) {
    for (const index of shuffled(indices, round + 1)) {
      collect();
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

/** What a paired comparison found: b's speed and CPU cost per operation, each relative to a's. */
export interface PairedResult {
  /** Median over pairs of b's ops/s divided by a's. */
  readonly speed: number;
  /** Median over pairs of b's CPU time per operation (all threads) divided by a's. */
  readonly cpu: number;
}

/**
 * Compares `b` with `a` in back-to-back pairs of rounds (alternating which goes first) so that
 * slow drift of the machine cancels within each pair. Besides speed it compares CPU time per
 * operation across all threads (process.cpuUsage), which the 2-core machine's scheduling noise
 * disturbs far less than wall-clock throughput.
 */
export async function measurePaired(a: Case, b: Case, { pairs = 15, roundMs = 150, inFlight = 1 } = {}): Promise<PairedResult> {
  const counters = [{ i: 0 }, { i: 0 }];
  await run(a[1], 250, inFlight, counters[0]!);
  await run(b[1], 250, inFlight, counters[1]!);
  const timed = async (which: 0 | 1) => {
    collect();
    const before = process.cpuUsage();
    const startCount = counters[which]!.i;
    const opsPerSecond = await run((which === 0 ? a : b)[1], roundMs, inFlight, counters[which]!);
    const used = process.cpuUsage(before);
    return { opsPerSecond, cpuPerOp: (used.user + used.system) / (counters[which]!.i - startCount) };
  };
  const speed: number[] = [];
  const cpu: number[] = [];
  for (let pair = 0; pair < pairs; pair++) {
    const [first, second] = pair % 2 === 0 ? ([0, 1] as const) : ([1, 0] as const);
    const results = { [first]: await timed(first), [second]: await timed(second) } as Record<0 | 1, Awaited<ReturnType<typeof timed>>>;
    speed.push(results[1].opsPerSecond / results[0].opsPerSecond);
    cpu.push(results[1].cpuPerOp / results[0].cpuPerOp);
  }
  const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)]!;
  return { speed: median(speed), cpu: median(cpu) };
}
