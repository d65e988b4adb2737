// The "trpc-jwt/client" entry, as built and packed: its import graph holds no server code and no
// jose; it exports the server entry's own JwtConfigError; and the server-side "trpc-jwt/testing"
// entry stays out of the main entry. The build is the
// packed package's dist/ (helpers/packedProject.ts: built from src/ with tsconfig.build.json, once
// per content, shared with the docs tests), not a build of its own.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { packedProject } from "./helpers/packedProject.js";
const IMPORT = /(?:^|[;\s])(?:import|export)\s*(?:[^'"]*?\sfrom\s*)?["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

/** Every built file reachable from `entry`, and every package it imports. */
function importGraph(entry: string) {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const match of readFileSync(file, "utf8").matchAll(IMPORT)) {
      const specifier = (match[1] ?? match[2]) as string;
      if (specifier.startsWith(".")) visit(resolve(dirname(file), specifier));
      else packages.add(specifier);
    }
  };
  visit(entry);
  return { files, packages };
}

describe("built client entry", () => {
  let project: string;
  let out: string;
  beforeAll(async () => {
    project = await packedProject();
    out = join(project, "node_modules", "trpc-jwt", "dist");
  }, 300_000);

  it("imports only the client modules, the error table, the wire constants, the options toolkit, the segment decoder and tRPC's observable", () => {
    const { files, packages } = importGraph(join(out, "client.js"));
    const names = [...files].map((file) => relative(out, file)).sort();
    expect(names).toEqual([
      "client.js",
      "client/bearerHeaders.js",
      "client/cookieRefreshLink.js",
      "client/createTokenStore.js",
      "client/csrfHeader.js",
      "client/documentCookie.js",
      "client/jwtErrorAction.js",
      "client/jwtErrorCode.js",
      "client/refreshCoordinator.js",
      "client/refreshLink.js",
      "client/sameSubject.js",
      "client/stepUpLink.js",
      "client/stepUpNeeds.js",
      "client/wsConnectionParams.js",
      "errors.js",
      "jws/decodeSegment.js",
      "options/limits.js",
      "options/suggestOption.js",
      "options/validate.js",
      "wire/StepUpChallenge.js",
      "wire/cookies.js",
      "wire/isCookieName.js",
    ]);
    expect([...packages]).toEqual(["@trpc/server/observable"]);
  });

  it("exports JwtConfigError, the server entry's own class: a link's bad option is an instance of it imported from either entry", async () => {
    // As an app imports the package (through its exports map), in a Node process of its own.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `
      const client = await import("trpc-jwt/client");
      const server = await import("trpc-jwt");
      let thrown;
      try { client.refreshLink({ store: client.createTokenStore() }); } catch (error) { thrown = error; }
      const exported = typeof client.JwtConfigError === "function";
      console.log(JSON.stringify({
        exported,
        same: client.JwtConfigError === server.JwtConfigError,
        fromClient: exported && thrown instanceof client.JwtConfigError,
        fromServer: thrown instanceof server.JwtConfigError,
        option: thrown?.option,
      }));
    `,
      ],
      { cwd: project },
    );
    expect(JSON.parse(stdout)).toEqual({ exported: true, same: true, fromClient: true, fromServer: true, option: "refresh" });
  });

  it("the server entry, by contrast, does reach jose (the check can see imports), but no node:* module: it loads on edge runtimes (issue #18)", () => {
    const { packages, files } = importGraph(join(out, "index.js"));
    expect(packages).toContain("jose");
    expect([...packages].filter((name) => name.startsWith("node:"))).toEqual([]);
    expect([...files].map((file) => relative(out, file))).toContain("tokens/issueToken.js");
  });

  it("the testing entry is built and reaches the server code, but the main entry never reaches it", () => {
    const testing = [...importGraph(join(out, "testing.js")).files].map((file) => relative(out, file));
    expect(testing).toContain("testing/testContext.js");
    expect(testing).toContain("trpc/createJwtContext.js");
    const main = [...importGraph(join(out, "index.js")).files].map((file) => relative(out, file));
    expect(main.filter((file) => file.startsWith("testing"))).toEqual([]);
  });
});
