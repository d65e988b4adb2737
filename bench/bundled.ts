// Runs a benchmark as users run trpc-jwt: compiled JavaScript. tsx (which runs our TypeScript
// everywhere else) compiles with esbuild's keepNames, wrapping every function it creates in a
// call that renames it, per closure, per call: measured, it made first-seen HS256 verification
// 9% slower and a guarded tRPC call 2% slower than the same code compiled by tsc. So a benchmark
// is bundled with esbuild (keepNames off; `trpc-jwt` and `../src/...` resolve to the same
// modules through tsconfig's paths; npm packages stay imports) and run by a plain `node`.
// The test suite's server processes run the same way (test/helpers/serverProcesses.ts).
//
// Usage: node --import tsx bench/bundled.ts <entry.ts> [arguments...]
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));

/**
 * Bundles `entry` (a path from the repository root) into `.bench/` (git ignores it),
 * where node finds its npm imports, and returns the bundle's path.
 *
 * @example
 * ```ts
 * const server = await bundled("example-server/server.ts");
 * spawn(process.execPath, [server]);
 * ```
 */
export async function bundled(entry: string): Promise<string> {
  const outfile = `${root}.bench/${entry.replace(/[^A-Za-z0-9]+/g, "-")}.mjs`;
  const { outputFiles } = await build({
    entryPoints: [`${root}${entry}`],
    bundle: true,
    platform: "node",
    format: "esm",
    packages: "external",
    outfile,
    write: false,
    logLevel: "warning",
  });
  // Written under a name of its own, then renamed over the bundle: test workers bundle the same
  // entry at the same time, and a process started on a half-written file would fail to parse it.
  const written = `${outfile}.${randomUUID()}.tmp`;
  mkdirSync(dirname(outfile), { recursive: true });
  writeFileSync(written, outputFiles[0]!.contents);
  renameSync(written, outfile);
  return outfile;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const [entry, ...args] = process.argv.slice(2);
  if (entry === undefined) throw new Error("usage: node --import tsx bench/bundled.ts <entry.ts> [arguments...]");
  const run = spawnSync(process.execPath, ["--expose-gc", await bundled(entry), ...args], { stdio: "inherit" });
  process.exit(run.status ?? 1);
}
