import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createTRPCClient, httpBatchLink, httpLink, type TRPCLink } from "@trpc/client";
import type { AnyTRPCRouter } from "@trpc/server";
import { createHTTPServer, type CreateHTTPHandlerOptions } from "@trpc/server/adapters/standalone";
import superjson from "superjson";
import type { TestRouter } from "./testApp.js";

/** A standalone tRPC server on 127.0.0.1 with an OS-chosen port; `close()` stops it for good. */
export function startServer<TRouter extends AnyTRPCRouter>(options: CreateHTTPHandlerOptions<TRouter>) {
  return listenOnLoopback(createHTTPServer(options));
}

/** Starts any Node HTTP server on 127.0.0.1 with an OS-chosen port; `close()` stops it for good. */
export async function listenOnLoopback(server: Server) {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A typed client for the test router sending the given headers (unbatched, one call per request). */
export function clientFor(url: string, headers: Record<string, string> = {}, links: TRPCLink<TestRouter>[] = []) {
  return createTRPCClient<TestRouter>({ links: [...links, httpLink({ url, transformer: superjson, headers })] });
}

/** A typed client that batches. */
export function batchClientFor(url: string, headers: Record<string, string> = {}) {
  return createTRPCClient<TestRouter>({ links: [httpBatchLink({ url, transformer: superjson, headers })] });
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
