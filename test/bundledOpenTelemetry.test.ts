// @opentelemetry/api bundled into the app (issue 31): an app bundled with esbuild, the API and the
// SDK inside the bundle, deployed without node_modules. trpc-jwt cannot load the package from
// there; it reads the registry the app's copy keeps on globalThis, so the guards' span attributes,
// events and metrics are recorded as with the package installed. One bundle, one Node process.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { build } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";

const dir = mkdtempSync(join(tmpdir(), "trpc-jwt-bundled-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Node looks for packages in every folder above the bundle too (this machine has a
// /tmp/node_modules): the lookup is cut off at the bundle's folder, as on a server that holds the
// bundle alone.
const ALONE = `data:text/javascript,${encodeURIComponent(`
import Module from "node:module";
const paths = Module._nodeModulePaths;
Module._nodeModulePaths = (from) => paths(from).filter((path) => path.startsWith(${JSON.stringify(dir)}));
`)}`;

describe("an app bundled with @opentelemetry/api, deployed without node_modules", () => {
  it("is traced and counted: enduser.id on the authed call's span, a trpc_jwt.refused event and one refusal counted", async () => {
    const outfile = join(dir, "app.mjs");
    await build({
      entryPoints: [fileURLToPath(new URL("helpers/bundledTelemetryApp.ts", import.meta.url))],
      outfile,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      // The SDK's CommonJS modules require Node's built-ins: the usual banner for an ESM bundle.
      banner: { js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);' },
      logLevel: "error",
    });
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        "--import",
        ALONE,
        "--input-type=module",
        "-e",
        `
      import { createRequire } from "node:module";
      let found = true;
      try { createRequire(${JSON.stringify(outfile)}).resolve("@opentelemetry/api"); } catch { found = false; }
      if (found) throw new Error("@opentelemetry/api is reachable from the bundle's folder");
      await import(${JSON.stringify(`file://${outfile}`)});
    `,
      ],
      { cwd: dir },
    );
    const { statuses, spans, refusals } = JSON.parse(stdout) as {
      statuses: number[];
      spans: { attributes: Record<string, unknown>; events: { name: string; attributes: Record<string, unknown> }[] }[];
      refusals: number;
    };
    expect(statuses).toEqual([200, 401]);
    expect(spans).toEqual([
      { attributes: { "enduser.id": "alice", "trpc_jwt.token_type": "auth" }, events: [] },
      { attributes: {}, events: [{ name: "trpc_jwt.refused", attributes: { code: "TOKEN_MISSING", reason: "missing" } }] },
    ]);
    expect(refusals).toBe(1);
  });
});
