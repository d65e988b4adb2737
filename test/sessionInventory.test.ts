// Issue #29, "your devices": `login(sub, scope, claims, { userAgent, ip })` lists the session,
// `listSessions(sub)` returns the live ones newest first, and `lastUsedAt` is written at most
// once a minute per session however busy it is (counted at a real redis-server).
import { createTRPCClient, httpLink } from "@trpc/client";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthManager, JwtConfigError, memoryStore } from "trpc-jwt";
import { startServer } from "./helpers/httpServer.js";
import { fakeClock, optionsFor } from "./helpers/keys.js";
import { connectRedis, hasRedisServer } from "./helpers/redisServer.js";
import { rejectionOf } from "./helpers/rejection.js";
import { createSessionApp, type SessionRouter } from "./helpers/sessionApp.js";
import { useRedisStores } from "./helpers/useRedisStores.js";

describe("listSessions (memoryStore)", () => {
  it("after 3 logins with device metadata lists 3 sessions newest first; a revoked and an expired session are not listed", async () => {
    const clock = fakeClock(Date.now());
    const auth = new AuthManager(optionsFor("HS256", { store: memoryStore({ clock: clock.now }), clock: clock.now, authMaxAge: 60, refreshMaxAge: 600 }));
    const phone = await auth.login("alice", undefined, undefined, { userAgent: "Phone", ip: "192.0.2.10" });
    clock.advance(1);
    const laptop = await auth.login("alice", undefined, undefined, { userAgent: "Laptop", ip: "2001:db8::7" });
    clock.advance(1);
    const tablet = await auth.login("alice");
    await auth.login("bob");
    const t0 = Math.floor(clock.now() / 1000);
    expect(await auth.listSessions("alice")).toEqual([
      { sid: tablet.authToken.claims["sid"], createdAt: t0, lastUsedAt: t0 },
      { sid: laptop.authToken.claims["sid"], createdAt: t0 - 1, lastUsedAt: t0 - 1, userAgent: "Laptop", ip: "2001:db8::7" },
      { sid: phone.authToken.claims["sid"], createdAt: t0 - 2, lastUsedAt: t0 - 2, userAgent: "Phone", ip: "192.0.2.10" },
    ]);
    await auth.revoke(laptop.authToken);
    expect((await auth.listSessions("alice")).map(({ userAgent }) => userAgent)).toEqual([undefined, "Phone"]);
    // The phone's session rotates (relisted with the rotation's time and a later expiry); the tablet's expires.
    clock.advance(300);
    await auth.rotate(phone.refreshToken);
    clock.advance(400);
    expect(await auth.listSessions("alice")).toEqual([
      { sid: phone.authToken.claims["sid"], createdAt: t0 - 2, lastUsedAt: t0 + 300, userAgent: "Phone", ip: "192.0.2.10" },
    ]);
    await auth.revokeSubject("alice");
    expect(await auth.listSessions("alice")).toEqual([]);
  });

  it("checks the device argument (JwtConfigError naming the field), keeps at most 512 characters of a user agent, and needs a store", async () => {
    const auth = new AuthManager(optionsFor("HS256", { store: memoryStore() }));
    for (const [device, option] of [
      [{ userAgent: 7 }, "userAgent"],
      [{ ip: ["10.0.0.1"] }, "ip"],
      [{ agent: "x" }, "agent"],
    ] as const) {
      const error = await rejectionOf(auth.login("alice", undefined, undefined, device as never));
      expect(error).toBeInstanceOf(JwtConfigError);
      expect((error as JwtConfigError).option).toBe(option);
    }
    await auth.login("carol", undefined, undefined, { userAgent: "x".repeat(5000) });
    expect((await auth.listSessions("carol"))[0]?.userAgent).toHaveLength(512);
    const storeless = new AuthManager(optionsFor("HS256"));
    expect(((await rejectionOf(storeless.listSessions("alice"))) as JwtConfigError).option).toBe("store");
    expect(((await rejectionOf(auth.listSessions(""))) as JwtConfigError).option).toBe("sub");
  });
});

describe.runIf(hasRedisServer())("listSessions on a real redis-server", () => {
  const redis = useRedisStores();
  const clock = fakeClock(Date.now());
  let auth: AuthManager;
  let server: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    auth = new AuthManager(optionsFor("HS256", { store: await redis.open(), clock: clock.now, authMaxAge: 3600 }));
    server = await startServer(createSessionApp(auth));
  });
  afterAll(() => server.close());

  it("1,000 requests on one session write lastUsedAt once, counted at Redis (INFO commandstats), and the listing shows it", async () => {
    const { authToken } = await auth.login("dave", undefined, undefined, { userAgent: "Browser" });
    const client = createTRPCClient<SessionRouter>({
      links: [httpLink({ url: server.url, transformer: superjson, headers: { authorization: `Bearer ${authToken.signed}` } })],
    });
    expect(await client.me.query()).toBe("dave"); // a use within the minute of the login: nothing written
    clock.advance(61); // a minute later: the next use is due, the 999 after it are not
    const counter = await connectRedis(redis.server().url);
    redis.onCleanup(() => counter.close());
    await counter.sendCommand(["CONFIG", "RESETSTAT"]);
    for (let done = 0; done < 1000; done += 100) {
      const calls = Array.from({ length: 100 }, () => client.me.query());
      expect(new Set(await Promise.all(calls))).toEqual(new Set(["dave"]));
    }
    const stats = String(await counter.sendCommand(["INFO", "commandstats"]));
    const calls = (command: string) => Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
    console.log(`1,000 requests: hset ${calls("hset")}, evalsha ${calls("evalsha")}, hmget ${calls("hmget")}`);
    expect(calls("hset")).toBe(1); // the one write of lastUsedAt (the touch script's HSET)
    expect(calls("evalsha")).toBe(1); // that write's script: the token's revocation verdict is remembered
    const [listed] = await auth.listSessions("dave");
    expect(listed?.lastUsedAt).toBe(Math.floor(clock.now() / 1000));
  });

  it("lists sessions newest first in one round trip, revoked ones left out", async () => {
    const sids: unknown[] = [];
    for (const userAgent of ["a", "b", "c"]) {
      sids.unshift((await auth.login("erin", undefined, undefined, { userAgent, ip: "198.51.100.4" })).authToken.claims["sid"]);
      clock.advance(1);
    }
    await auth.listSessions("nobody"); // the script is loaded (a fresh Redis answers NOSCRIPT once)
    const counter = await connectRedis(redis.server().url);
    redis.onCleanup(() => counter.close());
    await counter.sendCommand(["CONFIG", "RESETSTAT"]);
    const listed = await auth.listSessions("erin");
    const stats = String(await counter.sendCommand(["INFO", "commandstats"]));
    expect([...stats.matchAll(/cmdstat_(\w+):calls=(\d+)/g)].filter(([, name]) => name === "evalsha" || name === "eval").map(([, , n]) => Number(n))).toEqual([
      1,
    ]);
    expect(listed.map(({ sid, userAgent }) => ({ sid, userAgent }))).toEqual([
      { sid: sids[0], userAgent: "c" },
      { sid: sids[1], userAgent: "b" },
      { sid: sids[2], userAgent: "a" },
    ]);
    await auth.revokeSession(sids[1] as string);
    expect((await auth.listSessions("erin")).map(({ userAgent }) => userAgent)).toEqual(["c", "a"]);
  });
});
