import { createClient } from "redis";
import { memoryStore, type TokenStore } from "trpc-jwt";
import type { Env } from "trpc-jwt/types";
import { redisStore } from "trpc-jwt/redis";

/**
 * The demo's session store: `memoryStore()` (nothing to install), or Redis when `REDIS_URL` is
 * set, so that several server processes share sessions and revocations.
 */
export async function createStore(
  env: Env = process.env,
  log: (line: string) => void = console.log,
): Promise<{ store: TokenStore; close: () => Promise<void> }> {
  const url = env["REDIS_URL"];
  if (url === undefined || url === "") {
    log("Sessions in memory (set REDIS_URL to share them between processes through Redis).");
    return { store: memoryStore(), close: async () => undefined };
  }
  // Reconnect attempts at most 500 ms apart (node-redis backs off to 2 s by default), so service
  // resumes soon after Redis does; meanwhile guarded calls get 503 STORE_UNAVAILABLE.
  const client = createClient({ url, socket: { reconnectStrategy: (retries: number) => Math.min(retries * 50, 500) } });
  client.on("error", () => undefined); // node-redis requires a listener; outages surface as 503s
  await client.connect();
  const store = redisStore(client);
  log("Sessions in Redis (REDIS_URL).");
  return {
    store,
    close: async () => {
      await store.close();
      await client.close();
    },
  };
}
