import { evictionCheck } from "./evictionPolicy.js";
import { SCRIPTS, SHAS, type ScriptName } from "./redisScripts.js";
import { metricHooks } from "../telemetry/metricHooks.js";

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
  off(event: "ready", listener: (...args: unknown[]) => void): unknown;
  close(): Promise<void>;
}

/** What trpc-jwt uses of a node-redis cluster. A cluster from `createCluster()` fits as is. */
export interface RedisClusterLike {
  readonly isReady: boolean;
  sendCommand<T = unknown>(firstKey: string | undefined, isReadonly: boolean | undefined, args: string[], options?: { timeout?: number }): Promise<T>;
  /** The connection to the master of `key`'s slot: `WAIT` must follow a write on its own connection. */
  getNodeClientForKey(key: string): Promise<{ sendCommand<T = unknown>(args: ReadonlyArray<string>, options?: { timeout?: number }): Promise<T> }>;
  duplicate(): RedisClusterLike;
  connect(): Promise<unknown>;
  sSubscribe(channel: string, listener: (message: string) => void): Promise<void>;
  on(event: "error", listener: (...args: unknown[]) => void): unknown;
  close(): Promise<void>;
  destroy(): void;
}

/** Whether `redis` is a cluster (`createCluster()`) rather than a client. */
export function isCluster(redis: RedisClientLike | RedisClusterLike): redis is RedisClusterLike {
  return typeof (redis as Partial<RedisClusterLike>).getNodeClientForKey === "function";
}

/** Milliseconds as a Redis argument: a whole number, rounded up. */
export const ms = (value: number) => String(Math.ceil(value));

/**
 * The names of `redisStore`'s keys under `prefix`, and of its revocation channel. On a cluster each
 * id is a hash tag: every key is alone in what a script touches, and lands where its id hashes;
 * the single-Redis layout stays as it was (no migration).
 */
function keyNames(prefix: string, cluster: boolean) {
  const tag = cluster ? (id: string) => `{${id}}` : (id: string) => id;
  return {
    channel: `${prefix}revoked`,
    session: (sid: string) => `${prefix}sess:${tag(sid)}`,
    used: (tokenId: string) => `${prefix}used:${tag(tokenId)}`,
    revoked: (tokenId: string) => `${prefix}rev:${tag(tokenId)}`,
    subject: (sub: string) => `${prefix}sub:${tag(sub)}`,
    rateLimit: (key: string) => `${prefix}rl:${tag(key)}`,
    // The subject's session inventory (sorted set and hash), in the slot of its `sub:` key.
    inventory: (sub: string): [string, string] => [`${prefix}devices:${tag(sub)}`, `${prefix}devinfo:${tag(sub)}`],
    apiKey: (id: string) => `${prefix}akey:${tag(id)}`,
    apiKeysOf: (sub: string) => `${prefix}akeys:${tag(sub)}`,
  };
}

/** How `redisStore` talks to Redis: every command bounded by `timeout`, routed by key on a cluster. */
export interface RedisCommands {
  readonly cluster: boolean;
  readonly key: ReturnType<typeof keyNames>;
  /** One command; on a cluster routed by `key` (the master of its slot). */
  command<T>(key: string | undefined, args: string[]): Promise<T>;
  /** A script: EVALSHA, and EVAL once more where Redis has forgotten it (NOSCRIPT). */
  run<T>(name: ScriptName, keys: string[], args: string[]): Promise<T>;
  /**
   * A script that writes something a failover must not lose: with `replicas` > 0, it returns
   * only once that many replicas have acknowledged it (`WAIT`), and fails otherwise.
   */
  write<T>(name: ScriptName, keys: string[], args: string[]): Promise<T>;
  /** A revocation script (`write`), given the channel and the announcement `text` as its last two arguments. */
  revoke<T>(name: "revokeToken" | "revokeSession" | "revokeSubject" | "apiKeyRevoke", keys: string[], args: string[], text: string): Promise<T>;
  /** Publishes `text` on the revocation channel (sharded pub/sub on a cluster). */
  publish(text: string): Promise<unknown>;
  /** The eviction check, and on a client without a `replicas` option, whether it has replicas. */
  ready(): Promise<void>;
}

/**
 * The command layer of `redisStore` over a client or a cluster. Fails at once while the
 * connection is down: node-redis would otherwise queue the command until Redis is back, and the
 * request would hang instead of getting its 503. Bounded on the wire: node-redis's own `timeout`
 * stops counting once a command is written, so a slow or stalled Redis would hold the call; the
 * store stops waiting after `timeout` (the reply, if it ever comes, is dropped).
 */
export function redisCommands(
  redis: RedisClientLike | RedisClusterLike,
  { prefix, timeout, allowEviction, replicas }: { prefix: string; timeout: number; allowEviction: boolean; replicas: number | undefined },
): RedisCommands {
  const cluster = isCluster(redis);
  const key = keyNames(prefix, cluster);
  // `kind` names the command in the store's duration metric: a script's name, else the command.
  function send<T>(key: string | undefined, args: string[], kind = args[0] ?? ""): Promise<T> {
    if (!redis.isReady) return Promise.reject(new Error("Redis is not connected"));
    const reply = isCluster(redis) ? redis.sendCommand<T>(key, false, args, { timeout }) : redis.sendCommand<T>(args, { timeout });
    return metricHooks.storeCommand(kind, withDeadline(reply, timeout));
  }
  const checkEviction = evictionCheck((args) => send(undefined, args), allowEviction);
  // A cluster has replicas; a client is asked once (INFO replication) unless told.
  let waitFor: number | undefined = replicas ?? (cluster ? 1 : undefined);
  async function ready(): Promise<void> {
    await checkEviction();
    if (waitFor === undefined) waitFor = connectedReplicas(await send<string>(undefined, ["INFO", "replication"])) > 0 ? 1 : 0;
  }
  function command<T>(key: string | undefined, args: string[], kind?: string): Promise<T> {
    const checking = waitFor === undefined || checkEviction() !== undefined ? ready() : undefined;
    return checking === undefined ? send<T>(key, args, kind) : checking.then(() => send<T>(key, args, kind));
  }
  async function run<T>(name: ScriptName, keys: string[], args: string[]): Promise<T> {
    const tail = [String(keys.length), ...keys, ...args];
    try {
      return await command<T>(keys[0], ["EVALSHA", SHAS[name], ...tail], name);
    } catch (error) {
      // A restarted (or flushed) server has forgotten the script: send it once in full.
      if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
      return command<T>(keys[0], ["EVAL", SCRIPTS[name], ...tail], name);
    }
  }
  // WAIT counts the writes made on the connection it is sent on: the client's one, or the
  // connection to the master of the key's slot (where the cluster sent the write).
  async function acknowledged(key: string | undefined): Promise<void> {
    const wanted = waitFor ?? 0;
    if (wanted === 0) return;
    const args = ["WAIT", String(wanted), String(timeout)];
    const onNode = isCluster(redis) && redis.getNodeClientForKey(key ?? "").then((node) => node.sendCommand<number>(args, { timeout: timeout * 2 }));
    const acks = await (onNode ? metricHooks.storeCommand("WAIT", withDeadline(onNode, timeout * 2)) : send<number>(undefined, args));
    if (Number(acks) < wanted) throw new Error("Redis replicas did not acknowledge the write in time");
  }
  // Sent as is: the check `ready` makes has passed for a revocation's announcement (its write
  // waited for it), and a heartbeat needs none.
  const publish = (text: string) => send(key.channel, [cluster ? "SPUBLISH" : "PUBLISH", key.channel, text]);
  async function write<T>(name: ScriptName, keys: string[], args: string[]): Promise<T> {
    const result = await run<T>(name, keys, args);
    await acknowledged(keys[0]);
    return result;
  }
  return {
    cluster,
    key,
    command,
    run,
    write,
    // A revocation script publishes its announcement itself on one Redis (atomic with the write);
    // on a cluster the announcement is a sharded publish after the write (a script may only
    // publish to a shard channel of its own slot), and the call fails if it cannot be made.
    async revoke(name, keys, args, text) {
      const result = await write<never>(name, keys, [...args, cluster ? "" : key.channel, text]);
      if (cluster) await publish(text);
      return result;
    },
    publish,
    ready,
  };
}

function connectedReplicas(info: unknown): number {
  const match = /connected_slaves:(\d+)/.exec(String(info));
  return match === null ? 0 : Number(match[1]);
}

/** `reply`, or a rejection once `deadlineMs` have passed without it. */
function withDeadline<T>(reply: Promise<T>, deadlineMs: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error("Redis did not answer in time")), deadlineMs)));
  return Promise.race([reply, late]).finally(() => clearTimeout(timer));
}
