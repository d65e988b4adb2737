// The app of the subscription tests (test/subscriptions.test.ts): procedures that stream ticks
// behind the guards, and a refresh procedure, served on 127.0.0.1 over HTTP and WebSocket. One per
// test, with its own tick source, refusals and refresh count, so that tests waiting on real
// expiry can run side by side.
import { EventEmitter, on } from "node:events";
import { initTRPC } from "@trpc/server";
import { observable } from "@trpc/server/observable";
import superjson from "superjson";
import type { OnTestFinishedHandler } from "vitest";
import { createJwtContext, createJwtProcedures, jwtErrorFormatter, type AuthManager, type RefusalEvent } from "trpc-jwt";
import { startHttpAndWsServer } from "./wsServer.js";

function createApp(auth: AuthManager) {
  const refusals: RefusalEvent[] = [];
  const createContext = createJwtContext(auth, { onRefused: (event) => refusals.push(event) });
  const t = initTRPC.context<typeof createContext>().create({ transformer: superjson, errorFormatter: jwtErrorFormatter });
  const { authedProcedure, refreshProcedure, requireToken } = createJwtProcedures(t);
  const refreshes = { count: 0 };
  const ticks = new EventEmitter();
  const router = t.router({
    ticks: authedProcedure.subscription(async function* ({ signal }) {
      for await (const [tick] of on(ticks, "tick", { signal })) yield tick as number;
    }),
    // Two guards on one procedure: the token the first found is watched once.
    adminTicks: authedProcedure.use(requireToken({ scope: { admin: true } })).subscription(async function* ({ signal }) {
      for await (const [tick] of on(ticks, "tick", { signal })) yield tick as number;
    }),
    refresh: refreshProcedure.mutation(async ({ ctx }) => {
      refreshes.count++;
      return { authToken: (await auth.authToken(ctx.token.sub)).signed };
    }),
    // tRPC's legacy observable subscriptions end the same way.
    observed: authedProcedure.subscription(() =>
      observable<number>((emit) => {
        const onTick = (tick: number) => emit.next(tick);
        ticks.on("tick", onTick);
        return () => ticks.off("tick", onTick);
      }),
    ),
  });
  return { refusals, createContext, refreshes, ticks, router };
}

/** A started app: its router, refusals, refresh count, tick source and ticker, server and clients. */
export type TickingApp = Awaited<ReturnType<typeof startTickingApp>>;

/**
 * The app, its tokens verified by `auth`, served on 127.0.0.1 (HTTP and WebSocket); stopped, with
 * the clients pushed to `clients`, when the test ends: `onTestFinished` is the test's own, from
 * its context (vitest's global one may name another test while tests run concurrently).
 * `startTicking()` emits a tick every 50 ms until `stopTicking()`.
 */
export async function startTickingApp(auth: AuthManager, onTestFinished: (handler: OnTestFinishedHandler) => void) {
  const app = createApp(auth);
  const server = await startHttpAndWsServer(app.router, app.createContext);
  const clients: { close(): Promise<void> | void }[] = [];
  let ticker: ReturnType<typeof setInterval> | undefined;
  let tickCount = 0;
  const started = {
    ...app,
    server,
    clients,
    startTicking(): void {
      ticker = setInterval(() => app.ticks.emit("tick", ++tickCount), 50);
    },
    stopTicking(): void {
      if (ticker !== undefined) clearInterval(ticker);
      ticker = undefined;
    },
  };
  onTestFinished(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    started.stopTicking();
    await server.close();
  });
  return started;
}
