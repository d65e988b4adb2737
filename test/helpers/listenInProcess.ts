import type { Server } from "node:http";
import type { WebSocketServer } from "ws";

/**
 * For a server process of the multi-process tests: listens on 127.0.0.1 (an OS-chosen port),
 * prints {"port":N} on stdout once listening (what `startProcess` waits for), and on SIGTERM
 * ends every socket and connection, runs `close` and exits.
 */
export function listenInProcess(server: Server, wss: WebSocketServer, close: () => Promise<unknown>): void {
  server.listen(0, "127.0.0.1", () => {
    const address = server.address();
    process.stdout.write(`${JSON.stringify({ port: typeof address === "object" && address !== null ? address.port : 0 })}\n`);
  });
  process.on("SIGTERM", () => {
    for (const socket of wss.clients) socket.terminate();
    server.closeAllConnections();
    server.close();
    void close().then(() => process.exit(0));
  });
}
