import { announcement } from "./redisChannel.js";
import { ms, type RedisCommands } from "./redisCommands.js";
import type { KeptSession, ListedSession, SessionInventory, SessionListing } from "./SessionInventory.js";
import type { RevocationState, TokenRef, TokenStore } from "./TokenStore.js";

/** The arguments a session is listed with: sid, the listing as JSON, its time, and its issuer ('' : none). */
export function listingArgs(sid: string, listing: SessionListing): [string, string, string, string] {
  const { createdAtMs, userAgent, ip, issuer } = listing;
  return [sid, JSON.stringify({ c: createdAtMs, ua: userAgent, ip }), ms(createdAtMs), issuer ?? ""];
}

/**
 * `redisStore`'s {@link SessionInventory}, and its `revokeSession` (which unlists): listing is one
 * script on the subject's slot (one round trip on a client and on a cluster); a use is recorded by
 * a script that writes only when the last one is `intervalMs` old. `revokeOtherSessions` is one
 * script on one Redis (the kept session checked, every other session listed then revoked, unlisted
 * and announced in one step); on a cluster the sessions live in their own slots, so one script on
 * the subject's slot claims the others (refusing a caller whose session another call is ending),
 * then each is revoked (and announced) on its own, then unlisted. `revocationState` is the
 * store's: on a cluster the kept session's slot is its own. Module-internal.
 *
 * @example
 * ```ts
 * const inventory = redisInventory(redis, revocationState);
 * await inventory.listSessions("alice", Date.now());
 * ```
 */
export function redisInventory(
  redis: RedisCommands,
  revocationState: (ref: TokenRef) => Promise<RevocationState>,
): SessionInventory & Pick<TokenStore, "revokeSession"> {
  const { key } = redis;
  const keys = key.inventory;
  const forget = async (sub: string, sids: string[]) => {
    if (sids.length > 0) await redis.run("forget", keys(sub), sids);
  };
  // The session's revoked mark, announced; the caller unlists it.
  const markRevoked = (sid: string, unknownExpiresAtMs: number) =>
    redis.revoke<string | null>("revokeSession", [key.session(sid)], [ms(unknownExpiresAtMs)], announcement("session", sid));
  return {
    async revokeSession(sid: string, unknownExpiresAtMs: number) {
      const sub = await markRevoked(sid, unknownExpiresAtMs);
      if (typeof sub === "string" && sub !== "") await forget(sub, [sid]);
    },
    async listSessions(sub: string, nowMs: number, issuer?: string): Promise<ListedSession[]> {
      const flat = await redis.run<string[]>("list", keys(sub), [ms(nowMs), issuer ?? ""]);
      const listed: ListedSession[] = [];
      for (let i = 0; i + 2 < flat.length; i += 3) listed.push(listedSession(flat[i] as string, flat[i + 1] as string, flat[i + 2] as string));
      return listed;
    },
    async touchSession(sub: string, sid: string, nowMs: number, intervalMs: number) {
      return (await redis.run<number>("touch", keys(sub), [sid, ms(nowMs), ms(intervalMs)])) === 1;
    },
    async revokeOtherSessions(keep: KeptSession, nowMs: number, unknownExpiresAtMs: number) {
      const { sub, sid, issuer } = keep;
      const [, listing] = listingArgs(sid ?? "", keep.listing);
      const args = [ms(nowMs), issuer, sid ?? "", listing, ms(unknownExpiresAtMs)];
      if (!redis.cluster) {
        const keyNames = [...keys(sub), key.subject(sub), key.revoked(keep.tokenId), ...(sid === undefined ? [] : [key.session(sid)])];
        const generation = sid === undefined && keep.subjectGeneration !== undefined ? String(keep.subjectGeneration) : "";
        args.push(key.channel, key.session(""), sub, generation, announcement("session", ""));
        return (await redis.write<string[] | null>("revokeOthers", keyNames, args)) ?? undefined;
      }
      // The kept session's slot is not the subject's: its revoked mark and the token's are read
      // just before (with its expiry, for listing it if it was not), the rest in the script.
      const [state, expiry] = await Promise.all([
        revocationState({ tokenId: keep.tokenId, sid, sub }),
        sid === undefined ? -1 : redis.command<number>(key.session(sid), ["PEXPIRETIME", key.session(sid)]),
      ]);
      if (!keptAlive(keep, state)) return undefined;
      const others = await redis.write<string[] | null>("claimOthers", keys(sub), [...args, String(expiry)]);
      if (others === null) return undefined;
      // Each revocation is final on its own (a rotation after it gets an unusable pair); they
      // are unlisted once all are made, so a failure half-way leaves them listed for a retry.
      await Promise.all(others.map((other) => markRevoked(other, unknownExpiresAtMs)));
      await forget(sub, others);
      return others;
    },
    async othersRevokedAt(sub: string, issuer: string) {
      const [, meta] = keys(sub);
      return Number((await redis.command<string | null>(meta, ["HGET", meta, `r:${issuer}`])) ?? 0);
    },
  };
}
// The cluster's checks of the kept session, as the one-Redis script makes them.
function keptAlive({ sub, sid, subjectGeneration }: KeptSession, { tokenRevoked, session, subjectGeneration: current }: RevocationState): boolean {
  if (tokenRevoked) return false;
  if (sid === undefined) return (subjectGeneration ?? current) >= current;
  return session !== undefined && !session.revoked && session.sub === sub && session.generation >= current;
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
