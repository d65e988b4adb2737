import { JwtConfigError } from "../errors.js";
import { LIMITS } from "../options/limits.js";
import { booleanOf, objectOf, optionNames, wholeNumber } from "../options/validate.js";
import { evictionCheck } from "./evictionPolicy.js";
import { announcement, heartbeatedChannel } from "./redisChannel.js";
import { SCRIPTS, SHAS, type ScriptName } from "./redisScripts.js";
import type { RevocationListener, RevocationState, SessionData, StoredSession, TokenRef, TokenStore } from "./TokenStore.js";
import { copyJson, isJsonObject, type JsonObject, type JsonValue } from "../tokens/json.js";

/**
 * What trpc-jwt uses of a node-redis (`redis` package, 6.3 or later, as the peer range says and the tests use) client. A client from
 * `createClient()` fits as is.
 */
export interface RedisClientLike {
  readonly isReady: boolean;
  sendCommand<T = unknown>(args: ReadonlyArray<string>, options?: { timeout?: number }): Promise<T>;
  duplicate(): RedisClientLike;
  connect(): Promise<unknown>;
  subscribe(channel: string, listener: (message: string) => void): Promise<void>;
  on(event: "ready" | "error" | "end", listener: (...args: unknown[]) => void): unknown;
  close(): Promise<void>;
}

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

const OPTION_NAMES = optionNames<RedisStoreOptions>({ prefix: true, timeout: true, pubsub: true, allowEviction: true });

/**
 * A `TokenStore` in Redis (7.0 or later), shared by every process that uses the same server:
 * consume-once is atomic across processes, and revocations are announced on a pub/sub channel
 * so every process stops accepting a revoked token within milliseconds. Every key expires
 * when the token it concerns does. Keys: `<prefix>sess:<sid>` (hash, with the session's current
 * rotation), `<prefix>used:<jti>` (refresh tokens without a session, or without `rot`),
 * `<prefix>rev:<jti>`, `<prefix>sub:<sub>`; channel `<prefix>revoked`.
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
export function redisStore(client: RedisClientLike, options: RedisStoreOptions = {}): RedisTokenStore {
  if (typeof client !== "object" || client === null || typeof client.sendCommand !== "function") {
    throw new JwtConfigError("client", "must be a node-redis client (createClient() from the redis package)");
  }
  objectOf(options, "options", { names: OPTION_NAMES, kind: "a redisStore option" });
  const allowEviction = booleanOf(options.allowEviction, false, "allowEviction");
  const pubsub = booleanOf(options.pubsub, true, "pubsub");
  const { prefix = "trpc-jwt:" } = options;
  if (typeof prefix !== "string") throw new JwtConfigError("prefix", "must be a string");
  const timeout = wholeNumber(options.timeout, LIMITS.redisTimeout, "timeout");
  const channel = `${prefix}revoked`;
  const key = {
    session: (sid: string) => `${prefix}sess:${sid}`,
    used: (tokenId: string) => `${prefix}used:${tokenId}`,
    revoked: (tokenId: string) => `${prefix}rev:${tokenId}`,
    subject: (sub: string) => `${prefix}sub:${sub}`,
  };
  const channels = new Set<() => Promise<void>>();

  // Fails at once while the client is disconnected: node-redis would otherwise queue the
  // command until Redis is back, and the request would hang instead of getting its 503.
  // Bounded on the wire: node-redis's own `timeout` stops counting once a command is written,
  // so a slow or stalled Redis would hold the call; the store stops waiting after `timeout`
  // (the reply, if it ever comes, is dropped) and the caller gets its 503.
  function send<T>(args: string[]): Promise<T> {
    if (!client.isReady) return Promise.reject(new Error("Redis is not connected"));
    return withDeadline(client.sendCommand<T>(args, { timeout }), timeout);
  }
  const checkEviction = evictionCheck(send, allowEviction);

  function command<T>(args: string[]): Promise<T> {
    const checking = checkEviction();
    return checking === undefined ? send<T>(args) : checking.then(() => send<T>(args));
  }

  async function run<T>(name: ScriptName, keys: string[], args: string[]): Promise<T> {
    const tail = [String(keys.length), ...keys, ...args];
    try {
      return await command<T>(["EVALSHA", SHAS[name], ...tail]);
    } catch (error) {
      // A restarted (or flushed) server has forgotten the script: send it once in full.
      if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
      return command<T>(["EVAL", SCRIPTS[name], ...tail]);
    }
  }

  const message = announcement;
  const ms = (value: number) => String(Math.ceil(value));

  return {
    async createSession(sid: string, data: SessionData, expiresAtMs: number) {
      await run("create", [key.session(sid), key.subject(data.sub)], [data.sub, encode(data), ms(expiresAtMs)]);
    },
    async updateSession(sid: string, data: SessionData, expiresAtMs: number) {
      await run("update", [key.session(sid)], [data.sub, encode(data), ms(expiresAtMs)]);
    },
    async loadSession(sid: string) {
      return decodeSession(await command<(string | null)[]>(["HMGET", key.session(sid), "sub", "data", "gen", "revoked"]));
    },
    async consumeRotation(sid: string, rotation: number, nowMs: number) {
      const used = await run<string | null>("rotation", [key.session(sid)], [String(rotation), ms(nowMs)]);
      return used === null ? undefined : Number(used);
    },
    async consumeRefreshToken(tokenId: string, nowMs: number, expiresAtMs: number) {
      const first = await run<string | null>("consume", [key.used(tokenId)], [ms(nowMs), ms(expiresAtMs)]);
      return first === null ? undefined : Number(first);
    },
    async revokeToken(tokenId: string, expiresAtMs: number) {
      await run("revokeToken", [key.revoked(tokenId)], [ms(expiresAtMs), channel, message("token", tokenId)]);
    },
    async revokeSession(sid: string, unknownExpiresAtMs: number) {
      await run("revokeSession", [key.session(sid)], [ms(unknownExpiresAtMs), channel, message("session", sid)]);
    },
    async revokeSubject(sub: string, nowMs: number, expiresAtMs: number) {
      await run("revokeSubject", [key.subject(sub)], [ms(nowMs), ms(expiresAtMs), channel, message("subject", sub)]);
    },
    async revocationState(ref: TokenRef): Promise<RevocationState> {
      const keys = [key.revoked(ref.tokenId), ...(ref.sid === undefined ? [] : [key.session(ref.sid)]), key.subject(ref.sub)];
      const [revoked, session, generation] = await run<[number, (string | null)[] | null, string | null]>("state", keys, []);
      return {
        tokenRevoked: revoked === 1,
        session: ref.sid === undefined || session === null ? undefined : decodeSession(session),
        subjectGeneration: generation === null ? 0 : Number(generation),
      };
    },
    async ready() {
      await checkEviction();
    },
    ...(pubsub ? { subscribe: (listener: RevocationListener) => subscribe(listener) } : {}),
    async close() {
      const closing = [...channels].map((stop) => stop());
      channels.clear();
      await Promise.all(closing);
    },
  };

  function subscribe(listener: RevocationListener): () => void {
    const stop = heartbeatedChannel(
      {
        open({ message, ready, lost }) {
          const subscriber = client.duplicate();
          subscriber.on("ready", ready);
          subscriber.on("error", lost);
          subscriber.on("end", lost);
          const subscribed = subscriber.connect().then(() => subscriber.subscribe(channel, message));
          return { subscribed, close: () => subscriber.close() };
        },
        publish: (text) => send(["PUBLISH", channel, text]),
        onCommandsBack: (back) => void client.on("ready", back),
      },
      listener,
    );
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

function withDeadline<T>(reply: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("Redis did not answer in time")), ms);
    reply.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
