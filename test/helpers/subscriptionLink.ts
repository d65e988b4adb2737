import { createWSClient, httpSubscriptionLink, wsLink, type TRPCLink } from "@trpc/client";
import type { AnyTRPCRouter } from "@trpc/server";
import { EventSource, type FetchLike } from "eventsource";
import superjson from "superjson";
import { WebSocket } from "ws";

/** How a test client reaches subscriptions: a WebSocket (token in connectionParams) or SSE. */
export type Transport = "wsLink" | "httpSubscriptionLink (SSE)";

/**
 * A link whose every call carries `token`: over its own WebSocket (`connectionParams`), or over
 * SSE with the Authorization header (the `eventsource` package's custom fetch). `close` ends
 * what the link opened.
 */
export function subscriptionLink<TRouter extends AnyTRPCRouter>(
  server: { httpUrl: string; wsUrl: string },
  transport: Transport,
  token: string,
): { link: TRPCLink<TRouter>; close: () => Promise<void> | void } {
  if (transport === "wsLink") {
    const wsClient = createWSClient({ url: server.wsUrl, WebSocket: WebSocket as never, connectionParams: () => ({ token }) });
    return { link: wsLink({ client: wsClient, transformer: superjson }), close: () => wsClient.close() };
  }
  const link = httpSubscriptionLink<TRouter, typeof EventSource>({
    url: server.httpUrl,
    transformer: superjson,
    EventSource,
    eventSourceOptions: () => ({
      fetch: ((url, init) => fetch(url, { ...init, headers: { ...init.headers, authorization: `Bearer ${token}` } })) satisfies FetchLike,
    }),
  } as never);
  return { link, close: () => undefined };
}
