import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import type { Env } from "trpc-jwt/types";
import { createAppRouter } from "./appRouter.js";
import { createAuth } from "./auth.js";
import { createBrowserExample } from "./browserExample.js";
import { createIdentityProvider } from "./identityProvider.js";
import { createStore } from "./store.js";

// Where other services find the public keys that verify this API's tokens (RFC 8414's name).
const JWKS_PATH = "/.well-known/jwks.json";

/**
 * Starts the example API on 127.0.0.1; port 0 picks a free one. Next to tRPC it serves the
 * manager's public JWK Set at `/.well-known/jwks.json` (asymmetric `JWT_AUTHTYPE` only: HMAC
 * secrets are never published). Sessions live in memory, or in Redis when `REDIS_URL` is set;
 * access tokens of an identity provider are accepted too when `IDP_*` is set. The browser
 * example (a page with a cookie session) is under `/browser/`.
 */
export async function startExampleServer(port = 0, log: (line: string) => void = console.log, env: Env = process.env) {
  const sessions = await createStore(env, log);
  const auth = createAuth(env, log, sessions.store);
  const { appRouter, createContext } = createAppRouter(auth, createIdentityProvider(env, log));
  const trpc = createHTTPHandler({ router: appRouter, createContext });
  const browser = await createBrowserExample(auth, ({ code, path }) => log(`browser: ${path} refused: ${code}`));
  const jwks = auth.authType.startsWith("HS") ? undefined : JSON.stringify(auth.jwks());
  const server = createServer((req, res) => {
    if (browser(req, res)) return;
    if (req.url === JWKS_PATH && jwks !== undefined) {
      res.writeHead(200, { "content-type": "application/json", "cache-control": "public, max-age=300" }).end(jwks);
      return;
    }
    trpc(req, res);
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    stop: async () => {
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      await sessions.close();
    },
  };
}

// `npx tsx example-server/server.ts` runs it on its own (PORT, default 3000) until Ctrl-C.
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { url } = await startExampleServer(Number(process.env["PORT"] ?? 3000));
  console.log(`trpc-jwt example server listening on ${url}`);
}
