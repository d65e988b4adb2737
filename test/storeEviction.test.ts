// Issue 25, item 2: revocations are never evicted. redisStore refuses a Redis whose
// maxmemory-policy can evict its keys, warns once where it cannot ask, and with noeviction a
// flood of rotations by one account cannot fill Redis and make another user's logout fail.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { AuthManager, JwtConfigError, type TokenStore } from "trpc-jwt";
import { redisStore, type RedisStoreOptions } from "trpc-jwt/redis";
import { EVICTION_UNKNOWN_WARNING } from "../src/stores/evictionPolicy.js";
import { HS256_SECRET } from "./helpers/keys.js";
import { connectRedis, hasRedisServer, startRedisServer, type RedisServer } from "./helpers/redisServer.js";
import { rejectionOf } from "./helpers/rejection.js";

describe.runIf(hasRedisServer())("redisStore and Redis eviction", () => {
  let server: RedisServer;
  let admin: Awaited<ReturnType<typeof connectRedis>>;
  const cleanup: (() => Promise<unknown>)[] = [];
  beforeAll(async () => {
    server = await startRedisServer();
    admin = await connectRedis(server.url);
  });
  afterAll(async () => {
    for (const close of cleanup.reverse()) await close().catch(() => undefined);
    await admin.close();
    await server.stop();
  });

  async function open(options: RedisStoreOptions = {}, url = server.url) {
    const client = await connectRedis(url);
    const store = redisStore(client, options);
    cleanup.push(
      () => client.close(),
      () => store.close(),
    );
    return store;
  }
  const manager = (store: TokenStore) => new AuthManager({ issuer: "eviction-test", authType: "HS256", secret: HS256_SECRET, store });
  const configure = async (maxmemory: string, policy: string) => {
    await admin.sendCommand(["CONFIG", "SET", "maxmemory", maxmemory]);
    await admin.sendCommand(["CONFIG", "SET", "maxmemory-policy", policy]);
  };

  it("refuses to start on maxmemory 20mb with volatile-lru (or allkeys-lru), naming the policy; every call then fails closed", async () => {
    for (const policy of ["volatile-lru", "allkeys-lru"]) {
      await configure("20mb", policy);
      const store = await open();
      const error = await rejectionOf(store.ready());
      expect(error).toBeInstanceOf(JwtConfigError);
      expect(error).toMatchObject({ option: "store" });
      expect((error as Error).message).toContain(`maxmemory-policy is ${policy}`);
      // Without awaiting ready(), the first command makes the same check: nothing is written.
      const unchecked = await open();
      await expect(manager(unchecked).login("alice")).rejects.toMatchObject({ code: "SERVICE_UNAVAILABLE" });
      expect(await admin.dbSize()).toBe(0);
    }
  });

  it("starts with allowEviction: true on that Redis", async () => {
    await configure("20mb", "volatile-lru");
    const store = await open({ allowEviction: true });
    await expect(store.ready()).resolves.toBeUndefined();
    const { authToken } = await manager(store).login("alice");
    await expect(manager(store).verifyToken(authToken.signed)).resolves.toBeDefined();
    expect(() => redisStore(admin, { allowEviction: "yes" as never })).toThrow(expect.objectContaining({ option: "allowEviction" }));
  });

  it("where CONFIG GET is refused (an ACL without CONFIG), warns once and works", async () => {
    await configure("20mb", "noeviction");
    await admin.sendCommand(["ACL", "SETUSER", "app", "on", ">app-password", "~*", "&*", "+@all", "-config"]);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    try {
      const store = await open({}, server.url.replace("redis://", "redis://app:app-password@"));
      await store.ready();
      const auth = manager(store);
      const { refreshToken } = await auth.login("alice");
      await auth.rotate(refreshToken.signed);
      expect(warn.mock.calls).toEqual([[EVICTION_UNKNOWN_WARNING]]);
    } finally {
      warn.mockRestore();
    }
  });

  it("with noeviction and little memory left, 4,000 rotations by one account never make another user's logout fail", async () => {
    await configure("0", "noeviction");
    await admin.flushAll();
    const store = await open();
    await store.ready();
    const auth = manager(store);
    const victim = await auth.login("victim");
    const flooder = await Promise.all(Array.from({ length: 10 }, () => auth.login("flooder")));
    // Room for 256 KiB more: one used-mark per rotation (about 100 bytes each) would fill it.
    const used = Number(/used_memory:(\d+)/.exec(await admin.info("memory"))![1]);
    await configure(String(used + 256 * 1024), "noeviction");
    let rotations = 0;
    await Promise.all(
      flooder.map(async ({ refreshToken }) => {
        let refresh = refreshToken.signed;
        for (let i = 0; i < 400; i++) {
          refresh = (await auth.rotate(refresh)).refreshToken.signed;
          rotations++;
        }
      }),
    );
    expect(rotations).toBe(4000);
    await auth.revokeSession(String(victim.authToken.claims["sid"]));
    await expect(auth.verifyToken(victim.authToken.signed)).rejects.toMatchObject({ code: "TOKEN_REVOKED" });
    const after = Number(/used_memory:(\d+)/.exec(await admin.info("memory"))![1]);
    console.log(`4,000 rotations of one account: Redis used_memory ${used} -> ${after} bytes (limit ${used + 256 * 1024})`);
  });
});
