import { describe, expect, it, vi } from "vitest";
import { memoryStore } from "trpc-jwt";
import type { RevocationListener } from "trpc-jwt/types";
import { connectRedis, hasRedisServer } from "./helpers/redisServer.js";
import { useRedisStores } from "./helpers/useRedisStores.js";
import { storeConformance } from "trpc-jwt/testing";
import { redisStore } from "trpc-jwt/redis";

describe("memoryStore() conformance", () => {
  const store = memoryStore();
  storeConformance({ open: async () => store }, { it, expect });
});

describe("storeConformance() itself", () => {
  // A store whose subscription delivers announcements but never says it is listening (`up`):
  // trpc-jwt cannot tell its channel is live, so the suite must fail it, as it always did.
  it("fails a store whose subscription never comes up, in the announcement and API key cases", async () => {
    const inner = memoryStore();
    const neverUp = { ...inner, subscribe: (listener: RevocationListener) => inner.subscribe!({ ...listener, up: () => undefined }) };
    const cases = new Map<string, () => Promise<void>>();
    storeConformance({ open: async () => neverUp }, { it: (name, test) => cases.set(name, test), expect });
    const announcing = [...cases].filter(([name]) => /^announces every revocation|is announced to subscribers/.test(name));
    expect(announcing.map(([name]) => name)).toHaveLength(2);
    for (const [name, test] of announcing) await expect(test(), name).rejects.toThrow();
  }, 20_000);
});

describe("memoryStore() revocation state (issue 26: a first-seen token's check costs one lookup)", () => {
  const lookups = async (ask: () => Promise<unknown>) => {
    const get = vi.spyOn(Map.prototype, "get");
    try {
      await ask();
      return get.mock.calls.length;
    } finally {
      get.mockRestore();
    }
  };

  it("asks one map for a session's token and none for a sessionless one while nothing is revoked, and still finds each revocation", async () => {
    const store = memoryStore();
    const expires = Date.now() + 60_000;
    await store.createSession("s1", { sub: "alice" }, expires);
    expect(await lookups(() => store.revocationState({ tokenId: "t1", sid: "s1", sub: "alice" }))).toBe(1);
    expect(await lookups(() => store.revocationState({ tokenId: "t2", sid: undefined, sub: "alice" }))).toBe(0);
    // Once something is revoked, the maps that hold it are asked, and answer.
    await store.revokeToken("t2", expires);
    await store.revokeSubject("bob", Date.now(), expires);
    expect(await store.revocationState({ tokenId: "t2", sid: undefined, sub: "alice" })).toMatchObject({ tokenRevoked: true, subjectGeneration: 0 });
    expect((await store.revocationState({ tokenId: "t3", sid: undefined, sub: "bob" })).subjectGeneration).toBeGreaterThan(0);
  });
});

describe("memoryStore() session writes (issue 26: login <= 2x authToken)", () => {
  // The map and set operations of one call.
  const operations = async (call: () => Promise<unknown>) => {
    const spies = { gets: vi.spyOn(Map.prototype, "get"), sets: vi.spyOn(Map.prototype, "set"), adds: vi.spyOn(Set.prototype, "add") };
    try {
      await call();
      return Object.fromEntries(Object.entries(spies).map(([name, spy]) => [name, spy.mock.calls.length]));
    } finally {
      for (const spy of Object.values(spies)) spy.mockRestore();
    }
  };

  it("writes a session with two map lookups (the sid's previous record, the subject's listing) and two map writes, a subject's third with one map write and one set insertion, and keeps the subject as long as its longest session", async () => {
    let now = 1_000_000;
    const store = memoryStore({ clock: () => now });
    expect(await operations(() => store.createSession("s1", { sub: "alice" }, now + 60_000))).toEqual({ gets: 2, sets: 2, adds: 0 });
    await store.createSession("s2", { sub: "alice" }, now + 60_000);
    expect(await operations(() => store.createSession("s3", { sub: "alice" }, now + 30_000))).toEqual({ gets: 2, sets: 1, adds: 1 });
    // The shorter session did not shorten the subject's listing: s1 and s2 are listed until they expire.
    now += 45_000;
    expect((await store.listSessions!("alice", now)).map((session) => session.sid)).toEqual(["s1", "s2"]);
    now += 20_000;
    expect(await store.listSessions!("alice", now)).toEqual([]);
  });
});

describe.runIf(hasRedisServer())("redisStore() conformance, on a real redis-server", () => {
  const redis = useRedisStores();
  const open = redis.open;
  storeConformance({ open }, { it, expect });

  it("rejects at once, without queueing, while Redis is unreachable, and works again once it is back", async () => {
    const store = await open();
    await store.revokeToken("before", Date.now() + 60_000);
    await redis.server().stop();
    try {
      // The first command can be written in the moment before the client has seen the socket
      // close (the server's exit and the socket's end arrive as separate events): it is then
      // answered by the store's deadline (`timeout`, 1000 ms), never later.
      let started = Date.now();
      await expect(store.revocationState({ tokenId: "before", sid: undefined, sub: "a" })).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(1100);
      // Once the client knows, nothing is queued: every command is refused at once.
      started = Date.now();
      await expect(store.revocationState({ tokenId: "before", sid: undefined, sub: "a" })).rejects.toThrow();
      await expect(store.consumeRefreshToken("x", Date.now(), Date.now() + 60_000)).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(250);
    } finally {
      // Started again whatever happened above, so a failure here does not fail the next test too.
      await redis.server().start();
    }
    const deadline = Date.now() + 5000;
    for (;;) {
      const state = await store.revocationState({ tokenId: "x", sid: undefined, sub: "a" }).catch(() => undefined);
      if (state !== undefined) {
        expect(state.tokenRevoked).toBe(false);
        break;
      }
      if (Date.now() > deadline) throw new Error("store did not recover");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });

  it("replicas: 1 on a Redis without a replica: writes fail (no acknowledgement within timeout) rather than pretend; reads work", async () => {
    const client = await connectRedis(redis.server().url);
    redis.onCleanup(() => client.close());
    const store = redisStore(client, { replicas: 1, timeout: 200, pubsub: false });
    await expect(store.revokeToken("unacknowledged", Date.now() + 60_000)).rejects.toThrow();
    expect((await store.revocationState({ tokenId: "other", sid: undefined, sub: "a" })).tokenRevoked).toBe(false);
    // The default on a Redis without replicas is 0: the same write returns.
    await (await open()).revokeToken("acknowledged", Date.now() + 60_000);
  });

  it("runs its scripts again after a restart has flushed them (NOSCRIPT)", async () => {
    const store = await open();
    const client = await connectRedis(redis.server().url);
    redis.onCleanup(() => client.close());
    await client.sendCommand(["SCRIPT", "FLUSH"]);
    expect(await store.consumeRefreshToken("after-flush", Date.now(), Date.now() + 60_000)).toBeUndefined();
  });
});

describe("the main entry", () => {
  it("does not import redis or the Redis store: its module graph has neither", async () => {
    const { build } = await import("esbuild");
    const graph = async (entry: string) => {
      const { metafile } = await build({
        entryPoints: [entry],
        bundle: true,
        write: false,
        metafile: true,
        platform: "node",
        format: "esm",
        packages: "external",
        logLevel: "silent",
      });
      const inputs = Object.keys(metafile.inputs);
      const imports = Object.values(metafile.outputs).flatMap((output) => output.imports.map((imported) => imported.path));
      return { inputs, imports };
    };
    const main = await graph("src/index.ts");
    expect(main.inputs.filter((file) => file.includes("stores/redisStore"))).toEqual([]);
    expect(main.imports.filter((path) => /^(redis|@redis\/)/.test(path))).toEqual([]);
    // The check can see the store where it is: in the redis entry's graph.
    expect((await graph("src/redis.ts")).inputs).toContain("src/stores/redisStore.ts");
  });
});
