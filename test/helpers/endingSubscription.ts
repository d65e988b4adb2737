import { createTRPCClient } from "@trpc/client";
import type { AnyTRPCRouter } from "@trpc/server";
import { jwtErrorCode } from "trpc-jwt/client";
import { subscriptionLink, type Transport } from "./subscriptionLink.js";
import { startHttpAndWsServer } from "./wsServer.js";

/** How a subscription ended: its error's JwtErrorCode and when (Date.now()), or not at all. */
export type Ending = { readonly code: string | undefined; readonly atMs: number } | "complete" | "still open";

/** A subscription procedure that sends nothing and waits until it is cancelled: an idle stream. */
export async function* idle({ signal }: { signal?: AbortSignal | undefined }): AsyncGenerator<never> {
  if (signal !== undefined && !signal.aborted) await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
}

/**
 * Serves `router` on 127.0.0.1 and subscribes to `path` with `token` (over a WebSocket by
 * default); resolves once the subscription has started. `ending(ms)` is how it ended, or
 * "still open" after `ms` more milliseconds; `close()` stops the client and the server.
 */
export async function openSubscription(
  router: AnyTRPCRouter,
  createContext: (opts: never) => unknown,
  token: string,
  options: { path?: string; transport?: Transport } = {},
) {
  const { path = "idle", transport = "wsLink" } = options;
  const server = await startHttpAndWsServer(router, createContext);
  const { link, close } = subscriptionLink<AnyTRPCRouter>(server, transport, token);
  const client = createTRPCClient<AnyTRPCRouter>({ links: [link] }) as unknown as Record<
    string,
    { subscribe: (input: undefined, handlers: object) => { unsubscribe(): void } }
  >;
  let onStarted!: () => void;
  const started = new Promise<void>((resolve) => (onStarted = resolve));
  let unsubscribe = () => undefined as void;
  const ended = new Promise<Ending>((resolve) => {
    ({ unsubscribe } = client[path]!.subscribe(undefined, {
      onStarted,
      onError: (error: unknown) => resolve({ code: jwtErrorCode(error), atMs: Date.now() }),
      onComplete: () => resolve("complete"),
    }));
  });
  await started;
  return {
    ending: (ms: number) => Promise.race([ended, new Promise<Ending>((resolve) => setTimeout(() => resolve("still open"), ms).unref())]),
    async close() {
      unsubscribe();
      await close();
      await server.close();
    },
  };
}
