// The `audit` option (issue 31): each session operation is told to the hook exactly once, after it
// has succeeded, through real tRPC calls over HTTP on 127.0.0.1 (and the manager's own methods for
// the ones no router here exposes); a hook that throws, rejects, never settles or blocks changes and delays nothing.
import type { IncomingMessage, ServerResponse } from "node:http";
import { createTRPCClient, httpLink, TRPCClientError } from "@trpc/client";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthManager, JwtConfigError, memoryStore } from "trpc-jwt";
import type { AuditEvent } from "trpc-jwt/types";
import { createHTTPServer } from "@trpc/server/adapters/standalone";
import { failingStore } from "./helpers/failingStore.js";
import { listenOnLoopback } from "./helpers/httpServer.js";
import { fakeClock, optionsFor } from "./helpers/keys.js";
import { rejectionOf } from "./helpers/rejection.js";
import { createSessionApp, type SessionRouter } from "./helpers/sessionApp.js";

type Hook = (event: AuditEvent) => unknown;
const clock = fakeClock();
// The hook each app calls, swapped per test: a recorder, or one that misbehaves.
const events: AuditEvent[] = [];
let hook: Hook = (event) => void events.push(event);
const record: Hook = (event) => void events.push(event);
const settled = () => new Promise((resolve) => setTimeout(resolve, 0));

const auth = new AuthManager({ ...optionsFor("HS256"), store: memoryStore({ clock: clock.now }), clock: clock.now, audit: (event) => hook(event) });
let server: Awaited<ReturnType<typeof listenOnLoopback>>;
// What happened, in order: the server's responses handed to the OS, and the hooks' calls.
const timeline: string[] = [];
const client = (token?: string) =>
  createTRPCClient<SessionRouter>({
    links: [httpLink({ url: server.url, transformer: superjson, headers: token === undefined ? {} : { authorization: `Bearer ${token}` } })],
  });

beforeAll(async () => {
  const { router, createContext } = createSessionApp(auth);
  const http = createHTTPServer({ router, createContext });
  http.on("request", (_request: IncomingMessage, response: ServerResponse) => response.once("finish", () => timeline.push("response sent")));
  server = await listenOnLoopback(http);
});
afterAll(() => server.close());

// Runs `operation` with the recorder as the hook, and returns what it was told.
async function audited(operation: () => Promise<unknown>): Promise<AuditEvent[]> {
  await settled(); // the events of what ran before are told before the window opens
  hook = record;
  events.length = 0;
  await operation();
  await settled();
  return [...events];
}

describe("audit: one event per operation, after success", () => {
  it("login, rotate, logout and revokeSubject over HTTP: each exactly once, with the subject, session and time", async () => {
    let pair = { authToken: "", refreshToken: "" };
    expect(await audited(async () => (pair = await client().login.mutate({ sub: "alice" })))).toEqual([
      { event: "login", sub: "alice", sid: expect.any(String), at: clock.now() },
    ]);
    const sid = (await auth.verifyToken(pair.authToken, "auth")).claims.sid;
    clock.advance(5);
    const rotated = await audited(async () => (pair = await client().rotate.mutate({ refresh: pair.refreshToken })));
    expect(rotated).toEqual([{ event: "rotate", sub: "alice", sid, at: clock.now() }]);
    expect(await audited(() => client(pair.authToken).logout.mutate())).toEqual([{ event: "revoke", sub: "alice", sid, at: clock.now() }]);
    expect(await audited(() => client().revokeSubject.mutate({ sub: "bob" }))).toEqual([{ event: "revokeSubject", sub: "bob", at: clock.now() }]);
  });

  it("reuse: the used refresh token presented again is one reuseDetected (no revokeSession besides), on every presentation", async () => {
    const first = await client().login.mutate({ sub: "carol" });
    const sid = (await auth.verifyToken(first.refreshToken, "refresh")).claims.sid;
    await client().rotate.mutate({ refresh: first.refreshToken });
    for (let presentation = 0; presentation < 2; presentation++) {
      const told = await audited(async () => {
        const error = await rejectionOf(client().rotate.mutate({ refresh: first.refreshToken }));
        expect((error as TRPCClientError<SessionRouter>).data).toMatchObject({ jwtCode: "TOKEN_REUSED" });
      });
      expect(told).toEqual([{ event: "reuseDetected", sub: "carol", sid, at: clock.now() }]);
    }
  });

  it("revokeSession names the session's subject; a sessionless token's logout names no session; a sessionless refresh token's first rotation is a rotate", async () => {
    const { refreshToken } = await auth.login("dave");
    const sid = String(refreshToken.claims["sid"]);
    expect(await audited(() => auth.revokeSession(sid))).toEqual([{ event: "revokeSession", sub: "dave", sid, at: clock.now() }]);
    expect(await audited(() => auth.login("dave", undefined, undefined, { ip: "203.0.113.7", userAgent: "test" }))).toEqual([
      { event: "login", sub: "dave", sid: expect.any(String), ip: "203.0.113.7", at: clock.now() },
    ]);
    const lone = await auth.authToken("erin");
    expect(await audited(() => auth.revoke(lone))).toEqual([{ event: "revoke", sub: "erin", at: clock.now() }]);
    const sessionless = await auth.refreshToken("frank");
    const told = await audited(() => auth.rotate(sessionless));
    expect(told).toEqual([{ event: "rotate", sub: "frank", sid: expect.any(String), at: clock.now() }]);
  });

  it("nothing for what did not happen: refusals, misuse, an expired token's logout, a session the store does not know", async () => {
    const { authToken } = await auth.login("gina");
    expect(await audited(() => rejectionOf(client().rotate.mutate({ refresh: authToken.signed })))).toEqual([]);
    expect(await audited(() => rejectionOf(auth.revokeSession("")))).toEqual([]);
    expect(await audited(() => auth.revokeSession("no-such-session"))).toEqual([]);
    const short = new AuthManager({ ...optionsFor("HS256"), store: memoryStore({ clock: clock.now }), clock: clock.now, authMaxAge: 1, audit: record });
    const expiring = await short.authToken("hank");
    clock.advance(5);
    expect(await audited(() => short.revoke(expiring))).toEqual([]);
    const down = new AuthManager({ ...optionsFor("HS256"), store: failingStore(), audit: record });
    expect(await audited(() => rejectionOf(down.login("ivy")))).toEqual([]);
    expect(await audited(() => rejectionOf(down.revokeSubject("ivy")))).toEqual([]);
  });

  it("a hook that throws, rejects or never settles changes no result and delays nothing", async () => {
    const hooks: Hook[] = [
      () => {
        throw new Error("audit sink down");
      },
      () => Promise.reject(new Error("audit sink down")),
      () => new Promise(() => undefined),
    ];
    for (const misbehaving of hooks) {
      hook = misbehaving;
      const pair = await client().login.mutate({ sub: "jack" });
      const rotated = await client().rotate.mutate({ refresh: pair.refreshToken });
      expect((await client(rotated.authToken).me.query()) as string).toBe("jack");
      const reused = await rejectionOf(client().rotate.mutate({ refresh: pair.refreshToken }));
      expect((reused as TRPCClientError<SessionRouter>).data).toMatchObject({ jwtCode: "TOKEN_REUSED", httpStatus: 401 });
      await client().revokeSubject.mutate({ sub: "jack" });
      await auth.revokeSession("no-such-session");
      await settled();
    }
  });

  it("a slow synchronous hook runs after the caller has its result and after the HTTP response is sent, so it delays neither", async () => {
    // A synchronous audit sink that is slow (fs.appendFileSync, a blocking logger).
    const slow: Hook = (event) => {
      timeline.push(`hook ${event.event}`);
      const end = performance.now() + 100;
      while (performance.now() < end);
    };
    hook = slow;
    timeline.length = 0;
    const started = performance.now();
    await auth.login("kim");
    timeline.push("login resolved");
    const direct = performance.now() - started;
    await settled();
    expect(timeline).toEqual(["login resolved", "hook login"]);

    timeline.length = 0;
    const sent = performance.now();
    await client().login.mutate({ sub: "kim" });
    const overHttp = performance.now() - sent;
    await settled();
    expect(timeline).toEqual(["response sent", "hook login"]);
    // Under load: informative only (the client shares this thread, so it reads the response after the hook).
    console.log(`with a 100 ms synchronous hook: login resolved after ${direct.toFixed(1)} ms; over HTTP, the client had it after ${overHttp.toFixed(1)} ms`);
  });

  it("is checked at construction: anything but a function is refused naming audit", () => {
    expect(() => new AuthManager({ ...optionsFor("HS256"), audit: "log" as never })).toThrow(new JwtConfigError("audit", "must be a function"));
  });
});
