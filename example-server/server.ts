import type { AddressInfo } from "node:net";
import { createHTTPServer } from "@trpc/server/adapters/standalone";
import { createAppRouter } from "./appRouter.js";
import { createAuth } from "./auth.js";

/** Starts the example API on 127.0.0.1; port 0 picks a free one. */
export async function startExampleServer(port = 0, log: (line: string) => void = console.log) {
  const { appRouter, createContext } = createAppRouter(createAuth(process.env, log));
  const server = createHTTPServer({ router: appRouter, createContext });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// `npx tsx example-server/server.ts` runs it on its own (PORT, default 3000) until Ctrl-C.
if (import.meta.url === `file://${process.argv[1]}`) {
  const { url } = await startExampleServer(Number(process.env["PORT"] ?? 3000));
  console.log(`trpc-jwt example server listening on ${url}`);
}
