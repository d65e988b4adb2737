// `npm run test:runtimes` (issue #18): the smoke scenario (scenario.ts) on Node, Bun, Deno and
// workerd (through miniflare, with and without nodejs_compat), each reported by name. The scenario
// is bundled with esbuild for a neutral platform with `node:*` left as imports, as a user's edge
// build would be: a static `node:crypto` import reachable from the server entry makes workerd
// without nodejs_compat fail to load it. A runtime that is not installed fails under CI=true.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { rsaSigningKey, signAccessToken, startJwksServer } from "../helpers/jwksServer.js";
import type { RemoteSetup } from "./scenario.js";

interface Outcome {
  readonly ok: boolean;
  readonly checks?: string[];
  readonly error?: string;
}

const root = fileURLToPath(new URL("../../", import.meta.url));
const bin = (name: string) => join(root, "node_modules", ".bin", name);
const TIMEOUT_MS = 120_000;
const MINIFLARE: string = "miniflare";

/** The part of miniflare's API used here. */
interface MiniflareModule {
  Miniflare: new (options: object) => { dispatchFetch(url: string, init: object): Promise<Response>; dispose(): Promise<void> };
}

const key = rsaSigningKey();
const jwks = await startJwksServer([key]);
const issuer = `${jwks.url.replace(/\/[^/]*$/, "")}/`;
const now = Math.floor(Date.now() / 1000);
const setup: RemoteSetup = {
  issuer,
  jwksUri: jwks.url,
  audience: "https://api.example.com",
  accessToken: await signAccessToken(key, { iss: issuer, aud: "https://api.example.com", sub: "idp-user", iat: now, exp: now + 600 }),
};

const dir = await mkdtemp(join(tmpdir(), "trpc-jwt-runtimes-"));
const bundle = async (entry: string) => {
  const outfile = join(dir, entry.replace(".ts", ".mjs"));
  await build({
    entryPoints: [fileURLToPath(new URL(entry, import.meta.url))],
    outfile,
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    mainFields: ["module", "main"],
    external: ["node:*"],
    define: { RUNTIME_SETUP: JSON.stringify(setup) },
    logLevel: "error",
  });
  return outfile;
};

const targets: [name: string, run: () => Promise<Outcome | "missing">][] = [];
try {
  const cli = await bundle("cli.ts");
  const worker = await bundle("worker.ts");
  targets.push(
    ["node", () => runCli(process.execPath, [cli])],
    ["bun", () => (existsSync(bin("bun")) ? runCli(bin("bun"), [cli]) : Promise.resolve("missing"))],
    [
      "deno",
      () =>
        existsSync(bin("deno"))
          ? runCli(bin("deno"), ["run", "--allow-net=127.0.0.1", "--allow-env=NODE_ENV", "--no-prompt", cli])
          : Promise.resolve("missing"),
    ],
    ["workerd", () => runWorker(worker, [])],
    ["workerd+nodejs_compat", () => runWorker(worker, ["nodejs_compat"])],
  );
  let failed = 0;
  for (const [name, run] of targets) {
    const outcome = await run().catch((error: unknown): Outcome => ({ ok: false, error: error instanceof Error ? error.message : String(error) }));
    if (outcome === "missing") {
      if (process.env["CI"] === "true") failed++;
      console.log(`${process.env["CI"] === "true" ? "FAIL" : "skip"}  ${name}: not installed (npm ci installs it)`);
    } else if (outcome.ok) {
      console.log(`pass  ${name}\n${(outcome.checks ?? []).map((check) => `        ${check}`).join("\n")}`);
    } else {
      failed++;
      console.log(`FAIL  ${name}: ${outcome.error ?? "no result"}`);
    }
  }
  console.log(`runtimes: ${targets.length - failed} passed, ${failed} failed`);
  process.exitCode = failed === 0 ? 0 : 1;
} finally {
  await jwks.stop();
  await rm(dir, { recursive: true, force: true });
}

/** Runs the bundled CLI entry; its last line of output is the outcome as JSON. */
function runCli(file: string, args: string[]): Promise<Outcome> {
  return new Promise((resolve) => {
    const env = { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" };
    execFile(file, args, { timeout: TIMEOUT_MS, env, maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      const last = stdout.trim().split("\n").at(-1) ?? "";
      try {
        resolve(JSON.parse(last) as Outcome);
      } catch {
        resolve({ ok: false, error: `${error?.message ?? "no outcome"}\n${stderr.trim().split("\n").slice(0, 8).join("\n")}` });
      }
    });
  });
}

/** Loads the bundled worker into workerd through miniflare and asks it to run the scenario. */
async function runWorker(scriptPath: string, compatibilityFlags: string[]): Promise<Outcome | "missing"> {
  let miniflare: MiniflareModule;
  try {
    // Not a literal specifier: the type check passes where miniflare is not installed.
    miniflare = (await import(MINIFLARE)) as MiniflareModule;
  } catch {
    return "missing";
  }
  const mf = new miniflare.Miniflare({ modules: true, scriptPath, modulesRoot: dirname(scriptPath), compatibilityDate: "2026-07-01", compatibilityFlags });
  try {
    const response = await mf.dispatchFetch("http://127.0.0.1/", { signal: AbortSignal.timeout(TIMEOUT_MS) });
    return (await response.json()) as Outcome;
  } finally {
    await mf.dispose();
  }
}
