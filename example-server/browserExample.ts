import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { fileURLToPath } from "node:url";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import { build } from "esbuild";
import type { AuthManager, JwtContextConfig } from "trpc-jwt";
import { createBrowserRouter } from "./browserRouter.js";

const pageDir = fileURLToPath(new URL("../example-client/browser/", import.meta.url));

/**
 * The browser example under `/browser/`: the page, its client code bundled now with esbuild
 * (`@trpc/client` and `trpc-jwt/client`), and its API at `/browser/trpc`. Returns a request
 * listener that answers `/browser/...` and returns false for anything else.
 */
export async function createBrowserExample(auth: AuthManager, onRefused?: JwtContextConfig["onRefused"]) {
  const bundled = await build({
    entryPoints: [`${pageDir}main.ts`],
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    target: "es2022",
    tsconfig: fileURLToPath(new URL("../tsconfig.json", import.meta.url)),
    logLevel: "silent",
  });
  const files = new Map<string, { type: string; body: Buffer | Uint8Array }>([
    ["/browser/", { type: "text/html; charset=utf-8", body: await readFile(`${pageDir}index.html`) }],
    ["/browser/app.js", { type: "text/javascript; charset=utf-8", body: bundled.outputFiles[0]?.contents ?? new Uint8Array() }],
  ]);
  const { browserRouter, createContext } = createBrowserRouter(auth, onRefused);
  const api = createHTTPHandler({ router: browserRouter, createContext, basePath: "/browser/trpc/" });
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const path = (req.url ?? "").split("?")[0] ?? "";
    if (path.startsWith("/browser/trpc/")) {
      api(req, res);
      return true;
    }
    const file = files.get(path);
    if (file === undefined || req.method !== "GET") return false;
    res.writeHead(200, { "content-type": file.type, "cache-control": "no-store" }).end(file.body);
    return true;
  };
}
