import type { AddressInfo } from "node:net";
import type { AnyTRPCRouter } from "@trpc/server";
import { createHTTPServer } from "@trpc/server/adapters/standalone";
import { applyWSSHandler } from "@trpc/server/adapters/ws";
import { WebSocketServer, type WebSocket } from "ws";

/**
 * One tRPC server on 127.0.0.1 for HTTP, SSE and WebSocket calls (an OS-chosen port); `close()`
 * ends every socket and connection and stops it for good.
 */
export async function startHttpAndWsServer<TRouter extends AnyTRPCRouter>(router: TRouter, createContext: (opts: never) => unknown) {
  const httpServer = createHTTPServer({ router, createContext: createContext as never });
  const wss = new WebSocketServer({ server: httpServer });
  const handler = applyWSSHandler({ wss, router, createContext: createContext as never });
  const sockets: WebSocket[] = [];
  wss.on("connection", (socket) => sockets.push(socket));
  await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  const { port } = httpServer.address() as AddressInfo;
  return {
    httpUrl: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    /** The server side of every WebSocket accepted so far. */
    sockets,
    async close(): Promise<void> {
      handler.broadcastReconnectNotification();
      for (const socket of wss.clients) socket.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      httpServer.closeAllConnections();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    },
  };
}
