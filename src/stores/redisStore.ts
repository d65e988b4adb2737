import { JwtConfigError } from "../errors.js";
import { LIMITS } from "../options/limits.js";
import { booleanOf, objectOf, optionNames, stringMatching, wholeNumber } from "../options/validate.js";
import { redisApiKeys } from "./redisApiKeys.js";
import { announcement, heartbeatedChannel } from "./redisChannel.js";
import { ms, redisCommands, type RedisClientLike, type RedisClusterLike } from "./redisCommands.js";
import { listingArgs, redisInventory } from "./redisInventory.js";
import type { SessionListing } from "./SessionInventory.js";
import type { RevocationListener, RevocationState, SessionData, StoredSession, TokenRef, TokenStore } from "./TokenStore.js";
import { copyJson, isJsonObject, type JsonObject, type JsonValue } from "../tokens/json.js";

export type { RedisClientLike, RedisClusterLike } from "./redisCommands.js";

/** Options for {@link redisStore}. */
export interface RedisStoreOptions {
  /** Prefix of every key and of the channel trpc-jwt writes. Default `"trpc-jwt:"`. */
  readonly prefix?: string | undefined;
  /**
   * Milliseconds a command may take, from the call until the reply, before the store counts as
   * unavailable (503 STORE_UNAVAILABLE), however slow or stalled Redis is. Default 1000.
   */
  readonly timeout?: number | undefined;
  /**
   * Learn of revocations through Redis pub/sub (a second connection) and remember unrevoked
   * tokens in between. `false`: ask Redis on every use of a token. Default `true`.
   */
  readonly pubsub?: boolean | undefined;
  /**
   * Start on a Redis whose `maxmemory-policy` may evict keys (anything but `noeviction`). Every
   * key the store writes has an expiry, so such a Redis may drop a revocation, a session or a
   * reuse mark under memory pressure: revoked tokens are then accepted again. Default `false`:
   * the store refuses such a Redis with `JwtConfigError("store")`.
   */
  readonly allowEviction?: boolean | undefined;
  /**
   * How many replicas must acknowledge a revocation, a rotation or a login (`WAIT`) before it
   * returns, so that a failover cannot lose it; without their acknowledgement within `timeout`
   * the call fails with 503 STORE_UNAVAILABLE. Default 1 on a cluster or on a client whose Redis
   * has replicas (asked once at start), 0 otherwise.
   */
  readonly replicas?: number | undefined;
}

/** A `TokenStore` in Redis, with `close()` for the connection it opened itself. */
export interface RedisTokenStore extends TokenStore {
  /**
   * Checks the Redis the store will use: rejects with `JwtConfigError("store")` when its
   * `maxmemory-policy` can evict revocations (unless `allowEviction`), with the connection's
   * error when Redis cannot be reached. Await it at start-up; without it, the first command makes
   * the same check, and every command fails while it does not pass.
   */
  ready(): Promise<void>;
  /** Closes the pub/sub connection the store opened; the client you passed stays yours. */
  close(): Promise<void>;
}

const OPTION_NAMES = optionNames<RedisStoreOptions>({ prefix: true, timeout: true, pubsub: true, allowEviction: true, replicas: true });

/**
 * A `TokenStore` in Redis (7.0 or later), shared by every process that uses the same server:
 * consume-once is atomic across processes, and revocations are announced on a pub/sub channel
 * so every process stops accepting a revoked token within milliseconds. Every key expires
 * when the token it concerns does. Keys: `<prefix>sess:<sid>` (hash, with the session's current
 * rotation), `<prefix>used:<jti>` (refresh tokens without a session, or without `rot`),
 * `<prefix>rev:<jti>`, `<prefix>sub:<sub>`, each subject's session inventory
 * `<prefix>devices:<sub>` (sorted set) and `<prefix>devinfo:<sub>` (hash), and API keys
 * `<prefix>akey:<id>` and `<prefix>akeys:<sub>`; channel `<prefix>revoked`. On a Redis Cluster
 * (`createCluster()`), each id is a hash tag (`<prefix>sess:{<sid>}`), announcements use sharded
 * pub/sub (SSUBSCRIBE/SPUBLISH), and writes wait for a replica (`replicas`).
 *
 * Give the client an `error` listener (node-redis requires one) and connect it; while Redis is
 * unreachable, guarded calls get 503 STORE_UNAVAILABLE and recover by themselves.
 *
 * @example
 * ```ts
 * import { createClient } from "redis";
 * import { redisStore } from "trpc-jwt/redis";
 * const redis = createClient({ url: process.env.REDIS_URL });
 * redis.on("error", (error) => console.error("redis", error.message));
 * await redis.connect();
 * const store = redisStore(redis);
 * const auth = new AuthManager({ issuer: "my-api", authType: "HS256", secret, store });
 * // at shutdown: await store.close(); await redis.close();
 * ```
 */
export function redisStore(client: RedisClientLike | RedisClusterLike, options: RedisStoreOptions = {}): RedisTokenStore {
  if (typeof client !== "object" || client === null || typeof client.sendCommand !== "function") {
    throw new JwtConfigError("client", "must be a node-redis client or cluster (createClient() or createCluster() from the redis package)");
  }
  objectOf(options, "options", { names: OPTION_NAMES, kind: "a redisStore option" });
  const allowEviction = booleanOf(options.allowEviction, false, "allowEviction");
  const pubsub = booleanOf(options.pubsub, true, "pubsub");
  const prefix = stringMatching(options.prefix, "trpc-jwt:", /^/, "prefix", "must be a string");
  const timeout = wholeNumber(options.timeout, LIMITS.redisTimeout, "timeout");
  const replicas = options.replicas === undefined ? undefined : wholeNumber(options.replicas, LIMITS.redisReplicas, "replicas");
  const redis = redisCommands(client, { prefix, timeout, allowEviction, replicas });
  const { command, run, write, cluster, key } = redis;
  const channels = new Set<() => Promise<void>>();
  const inventory = redisInventory(redis, revocationState);
  const readSession = (name: string) => command<(string | null)[]>(name, ["HMGET", name, "sub", "data", "gen", "revoked"]);

  return {
    async createSession(sid: string, data: SessionData, expiresAtMs: number, listing?: SessionListing) {
      const args = [data.sub, encode(data), ms(expiresAtMs)];
      const listed = listingArgs(sid, listing ?? { createdAtMs: Date.now() });
      if (!cluster) return void (await write("create", [key.session(sid), key.subject(data.sub), ...key.inventory(data.sub)], [...args, "", ...listed]));
      // The subject lives in another slot: its generation is read first (and the session listed
      // there). A revocation between the two steps leaves the session with the older generation,
      // so it is revoked by it.
      const generation = await run<string>("enlist", [key.subject(data.sub), ...key.inventory(data.sub)], [listed[0], ms(expiresAtMs), ...listed.slice(1)]);
      await write("create", [key.session(sid)], [...args, generation, ...listed]);
    },
    async updateSession(sid: string, data: SessionData, expiresAtMs: number, nowMs?: number, listing?: SessionListing) {
      const [, json, createdAt, issuer] = listing === undefined ? ["", "", "", ""] : listingArgs(sid, listing);
      const args = [data.sub, encode(data), ms(expiresAtMs), sid, nowMs === undefined ? "" : ms(nowMs), json, issuer, createdAt];
      const subjectKeys = [...key.inventory(data.sub), key.subject(data.sub)];
      const [status, generation] = await write<[number, string]>("update", [key.session(sid), ...(cluster ? [] : subjectKeys)], args);
      // On a cluster the subject's keys are in another slot: the session is listed there, with its generation.
      if (cluster && status === 1 && generation !== "") return (await run<number>("relist", subjectKeys, [...args.slice(2), generation])) === 1;
      return status !== 2;
    },
    async loadSession(sid: string) {
      return decodeSession(await readSession(key.session(sid)));
    },
    async consumeRotation(sid: string, rotation: number, nowMs: number) {
      const used = await write<string | null>("rotation", [key.session(sid)], [String(rotation), ms(nowMs)]);
      return used === null ? undefined : Number(used);
    },
    async consumeRefreshToken(tokenId: string, nowMs: number, expiresAtMs: number) {
      const first = await write<string | null>("consume", [key.used(tokenId)], [ms(nowMs), ms(expiresAtMs)]);
      return first === null ? undefined : Number(first);
    },
    async revokeToken(tokenId: string, expiresAtMs: number) {
      await redis.revoke("revokeToken", [key.revoked(tokenId)], [ms(expiresAtMs)], announcement("token", tokenId));
    },
    async revokeSubject(sub: string, nowMs: number, expiresAtMs: number) {
      await redis.revoke("revokeSubject", [key.subject(sub), ...key.inventory(sub)], [ms(nowMs), ms(expiresAtMs)], announcement("subject", sub));
    },
    async hitRateLimit(id: string, limit: number, windowMs: number) {
      const wait = await run<number>("rateLimit", [key.rateLimit(id)], [String(limit), ms(windowMs), crypto.randomUUID()]);
      return { allowed: wait === 0, retryAfterMs: Number(wait) };
    },
    ...inventory,
    revocationState,
    apiKeys: redisApiKeys(redis),
    ready: redis.ready,
    ...(pubsub ? { subscribe } : {}),
    async close() {
      const closing = [...channels].map((stop) => stop());
      channels.clear();
      await Promise.all(closing);
    },
  };

  // One script on one Redis; on a cluster the three keys live in three slots, so three reads
  // sent together (one round trip). Each part only ever moves towards "revoked".
  async function revocationState(ref: TokenRef): Promise<RevocationState> {
    const [revoked, subject] = [key.revoked(ref.tokenId), key.subject(ref.sub)];
    const session = ref.sid === undefined ? undefined : key.session(ref.sid);
    const [tokenRevoked, hash, generation] = await (cluster
      ? Promise.all([
          command<number>(revoked, ["EXISTS", revoked]),
          session === undefined ? null : readSession(session),
          command<string | null>(subject, ["GET", subject]),
        ])
      : run<[number, (string | null)[] | null, string | null]>("state", [revoked, ...(session === undefined ? [] : [session]), subject], []));
    return {
      tokenRevoked: tokenRevoked === 1,
      session: ref.sid === undefined || hash === null ? undefined : decodeSession(hash),
      subjectGeneration: generation === null ? 0 : Number(generation),
    };
  }

  function subscribe(listener: RevocationListener): () => void {
    const stop = heartbeatedChannel(client, redis, listener);
    channels.add(stop);
    return () => {
      channels.delete(stop);
      void stop();
    };
  }
}

function encode({ scope, claims }: SessionData): string {
  return JSON.stringify({ scope, claims });
}

// A hash without `sub` is a session the store did not know when it was revoked.
function decodeSession([sub, data, gen, revoked]: (string | null)[]): StoredSession | undefined {
  if (sub === null || sub === undefined) return revoked ? { sub: "", generation: 0, revoked: true } : undefined;
  const parsed = copyJson(JSON.parse(data ?? "{}"));
  if (!isJsonObject(parsed)) throw new Error("malformed session");
  const { scope, claims } = parsed as { scope?: JsonValue; claims?: JsonObject };
  return {
    sub,
    ...(scope === undefined ? {} : { scope }),
    ...(isJsonObject(claims) ? { claims } : {}),
    generation: Number(gen ?? "0"),
    revoked: revoked === "1",
  };
}
