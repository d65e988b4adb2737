import { once } from "node:events";
import { createConnection, createServer, type Socket } from "node:net";

/** A TCP proxy on 127.0.0.1 that can stop forwarding (a stalled path) and start again. */
export interface TcpProxy {
  readonly port: number;
  /** Stops forwarding in both directions: bytes are held, nothing is reset or closed. */
  stall(): void;
  /** Resets every connection and refuses new ones (a path that fails loudly) until `resume()`. */
  cut(): void;
  /** Forwards again, what was held first, and accepts connections again. */
  resume(): void;
  close(): Promise<void>;
}

/** Starts a proxy to `targetPort` on 127.0.0.1; stop it with `close()`. */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const held: (() => void)[] = [];
  let stalled = false;
  let refusing = false;
  const forward = (from: Socket, to: Socket) =>
    from.on("data", (chunk: Buffer) => {
      if (stalled) held.push(() => to.write(chunk));
      else to.write(chunk);
    });
  const server = createServer((inbound) => {
    if (refusing) return void inbound.destroy();
    const outbound = createConnection({ host: "127.0.0.1", port: targetPort });
    for (const [socket, other] of [
      [inbound, outbound],
      [outbound, inbound],
    ] as const) {
      sockets.add(socket);
      socket.on("error", () => undefined);
      socket.on("close", () => {
        sockets.delete(socket);
        other.destroy();
      });
      forward(socket, other);
    }
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  return {
    port: typeof address === "object" && address !== null ? address.port : 0,
    stall() {
      stalled = true;
    },
    cut() {
      refusing = true;
      held.length = 0;
      for (const socket of sockets) socket.destroy();
    },
    resume() {
      stalled = false;
      refusing = false;
      for (const write of held.splice(0)) write();
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
