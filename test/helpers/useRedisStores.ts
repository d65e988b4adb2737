import { redisStore, type RedisStoreOptions, type RedisTokenStore } from "trpc-jwt/redis";
import { afterAll, beforeAll } from "vitest";
import { connectRedis, startRedisServer, type RedisServer } from "./redisServer.js";

/**
 * For a `describe` block: starts a redis-server before its tests and stops it after; `open()`
 * gives a `redisStore` on its own client (as each server process has), all closed at the end.
 */
export function useRedisStores(options: RedisStoreOptions = {}) {
  let server: RedisServer | undefined;
  const cleanup: (() => Promise<unknown>)[] = [];
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    for (const close of cleanup.reverse()) await close().catch(() => undefined);
    await server?.stop();
  });
  return {
    server: () => server as RedisServer,
    async open(): Promise<RedisTokenStore> {
      const client = await connectRedis((server as RedisServer).url);
      const store = redisStore(client, options);
      cleanup.push(
        () => client.close(),
        () => store.close(),
      );
      return store;
    },
    /** Closes `close` with the rest at the end. */
    onCleanup: (close: () => Promise<unknown>) => void cleanup.push(close),
  };
}
