// Entry for workerd (through miniflare): any request runs the scenario and answers its result as JSON.
import { runScenario, type RemoteSetup } from "./scenario.js";

// Replaced by esbuild's `define` with the harness's set-up (run.ts).
declare const RUNTIME_SETUP: RemoteSetup;

export default {
  async fetch(): Promise<Response> {
    try {
      return Response.json({ ok: true, checks: await runScenario(RUNTIME_SETUP) });
    } catch (error) {
      return Response.json({ ok: false, error: error instanceof Error ? error.message : String(error) });
    }
  },
};
