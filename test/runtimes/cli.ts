// Entry for Node, Bun and Deno: runs the scenario once and prints one line of JSON; exit code 1 on failure.
import { runScenario, type RemoteSetup } from "./scenario.js";

// Replaced by esbuild's `define` with the harness's set-up (run.ts).
declare const RUNTIME_SETUP: RemoteSetup;

try {
  console.log(JSON.stringify({ ok: true, checks: await runScenario(RUNTIME_SETUP) }));
} catch (error) {
  console.log(JSON.stringify({ ok: false, error: error instanceof Error ? error.message : String(error) }));
  // Deno has `process` as a global too; setting exitCode works in all three.
  globalThis.process.exitCode = 1;
}
