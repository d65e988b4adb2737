import { announcement } from "./redisChannel.js";
import type { RedisCommands } from "./redisCommands.js";
import type { ListedSession, SessionInventory, SessionListing } from "./SessionInventory.js";

/** What the inventory needs of `redisStore`: its commands, key names and session revocation. */
export interface InventoryContext {
  readonly redis: RedisCommands;
  readonly channel: string;
  /** The subject's sorted set and hash, sharing the subject's hash tag on a cluster. */
  keys(sub: string): [string, string];
  session(sid: string): string;
  /** `redisStore.revokeSession` without the unlisting (the cluster's way, one session at a time). */
  revokeSession(sid: string, unknownExpiresAtMs: number): Promise<unknown>;
}

const ms = (value: number) => String(Math.ceil(value));

/** The arguments a session is listed with: sid, the listing as JSON, and its time. */
export function listingArgs(sid: string, listing: SessionListing): [string, string, string] {
  const { createdAtMs, userAgent, ip } = listing;
  return [sid, JSON.stringify({ c: createdAtMs, ua: userAgent, ip }), ms(createdAtMs)];
}

/**
 * `redisStore`'s {@link SessionInventory}: listing is one script on the subject's slot (one
 * round trip on a client and on a cluster); a use is recorded by a script that writes only when
 * the last one is `intervalMs` old. `revokeOtherSessions` is one script on one Redis (every
 * session it names is revoked, unlisted and announced in one step); on a cluster the sessions
 * live in their own slots, so each is revoked (and announced) on its own, then unlisted. Module-internal.
 *
 * @example
 * ```ts
 * const inventory = redisInventory({ redis, channel, keys, session, revokeSession });
 * await inventory.listSessions("alice", Date.now());
 * ```
 */
export function redisInventory(context: InventoryContext): SessionInventory & { forget(sub: string, sids: string[]): Promise<void> } {
  const { redis, keys } = context;
  const live = async (sub: string, nowMs: number) => redis.command<string[]>(keys(sub)[0], ["ZRANGEBYSCORE", keys(sub)[0], `(${ms(nowMs)}`, "+inf"]);
  const forget = async (sub: string, sids: string[]) => {
    if (sids.length > 0) await redis.run("forget", keys(sub), sids);
  };
  return {
    async listSessions(sub: string, nowMs: number): Promise<ListedSession[]> {
      const flat = await redis.run<string[]>("list", keys(sub), [ms(nowMs)]);
      const listed: ListedSession[] = [];
      for (let i = 0; i + 2 < flat.length; i += 3) listed.push(listedSession(flat[i] as string, flat[i + 1] as string, flat[i + 2] as string));
      return listed;
    },
    async touchSession(sub: string, sid: string, nowMs: number, intervalMs: number) {
      return (await redis.run<number>("touch", keys(sub), [sid, ms(nowMs), ms(intervalMs)])) === 1;
    },
    async revokeOtherSessions(sub: string, keepSid: string, unknownExpiresAtMs: number) {
      const others = (await live(sub, Date.now())).filter((sid) => sid !== keepSid);
      if (others.length === 0) return [];
      if (!redis.cluster) {
        const messages = others.map((sid) => announcement("session", sid));
        const keyNames = [...keys(sub), ...others.map((sid) => context.session(sid))];
        return redis.write<string[]>("revokeOthers", keyNames, [ms(unknownExpiresAtMs), context.channel, ...others, ...messages]);
      }
      // Each revocation is final on its own (a rotation after it gets an unusable pair); they
      // are unlisted once all are made, so a failure half-way leaves them listed for a retry.
      await Promise.all(others.map((sid) => context.revokeSession(sid, unknownExpiresAtMs)));
      await forget(sub, others);
      return others;
    },
    forget,
  };
}

function listedSession(sid: string, json: string, lastUsed: string): ListedSession {
  const { c, ua, ip } = JSON.parse(json) as { c?: unknown; ua?: unknown; ip?: unknown };
  const createdAtMs = typeof c === "number" ? c : 0;
  return {
    sid,
    createdAtMs,
    lastUsedAtMs: Math.max(Number(lastUsed) || 0, createdAtMs),
    ...(typeof ua === "string" ? { userAgent: ua } : {}),
    ...(typeof ip === "string" ? { ip } : {}),
  };
}
