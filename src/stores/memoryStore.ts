import { clockOf, objectOf, optionNames } from "../options/validate.js";
import { ExpiringMap } from "./ExpiringMap.js";
import { MemoryInventory } from "./MemoryInventory.js";
import type { KeptSession, SessionListing } from "./SessionInventory.js";
import { SessionRecord } from "./SessionRecord.js";
import { SessionTable } from "./SessionTable.js";
import { memoryApiKeys } from "./memoryApiKeys.js";
import type { RevocationEvent, RevocationListener, RevocationState, SessionData, TokenRef, TokenStore } from "./TokenStore.js";

/** Options for {@link memoryStore}. */
export interface MemoryStoreOptions {
  /** The current time in milliseconds since the epoch; for tests. Default `Date.now`. */
  readonly clock?: (() => number) | undefined;
}

const OPTION_NAMES = optionNames<MemoryStoreOptions>({ clock: true });

/**
 * A `TokenStore` in this process's memory: sessions (with their current rotation), used
 * sessionless refresh tokens, revocations and API keys, each dropped when the token it concerns expires. For one server process; several processes must
 * share a store (`redisStore` from `trpc-jwt/redis`). Revocations apply at once.
 *
 * @example
 * ```ts
 * import { AuthManager, memoryStore } from "trpc-jwt";
 * const auth = new AuthManager({ issuer: "my-api", authType: "HS256", secret, store: memoryStore() });
 * ```
 */
export function memoryStore(options: MemoryStoreOptions = {}): TokenStore {
  objectOf(options, "options", { names: OPTION_NAMES, kind: "a memoryStore option" });
  const clock = clockOf(options.clock);
  const used = new ExpiringMap<number>(clock);
  const revokedTokens = new ExpiringMap<true>(clock);
  const subjects = new ExpiringMap<number>(clock);
  const inventory = new MemoryInventory(clock);
  // One record per session, however often it rotates, shared with its subject's inventory.
  const sessions = new SessionTable(clock, inventory);
  // Per rate-limit key, when each call still in its window was allowed.
  const calls = new ExpiringMap<number[]>(clock);
  const listeners = new Set<RevocationListener>();
  const announce = (event: RevocationEvent) => {
    for (const listener of listeners) listener.event(event);
  };

  // The subject's revocation generation. The map of revoked subjects is asked only once it holds
  // one (usually it is empty), so a token's new id strings are not hashed for nothing.
  const generationOf = (sub: string) => (subjects.size === 0 ? 0 : (subjects.get(sub) ?? 0));

  // A session the store does not hold is kept as a revoked one of no subject, until its tokens expire.
  function markRevoked(sid: string, unknownExpiresAtMs: number): void {
    const record = sessions.get(sid);
    if (record === undefined) sessions.add(new SessionRecord(sid, { sub: "" }, 0, unknownExpiresAtMs, UNLISTED, true));
    else {
      sessions.sweepIfDue();
      record.revoked = true;
      inventory.forget(record);
    }
    announce({ kind: "session", id: sid });
  }

  // Async functions, so that a mistake in one becomes a rejection, as with any other store.
  return {
    async createSession(sid: string, data: SessionData, expiresAtMs: number, listing?: SessionListing) {
      const record = new SessionRecord(sid, data, generationOf(data.sub), expiresAtMs, listing ?? { createdAtMs: clock() });
      if (sessions.add(record)) inventory.enlist(record);
    },
    async updateSession(sid: string, data: SessionData, expiresAtMs: number, nowMs?: number, listing?: SessionListing) {
      const record = sessions.get(sid);
      if (record === undefined) return;
      sessions.sweepIfDue();
      // The session's subject is the one written last, as with every store; its listing moves with it.
      if (data.sub !== record.sub) {
        inventory.forget(record);
        record.sub = data.sub;
      }
      // A session revokeSubject ended (older than its subject's generation) is revoked as much as
      // one marked so: never listed again, even by a rotation that passed its check before that call.
      const listed = record.revoked || record.generation < generationOf(record.sub) || inventory.relist(record, nowMs, listing);
      record.scope = data.scope;
      record.claims = data.claims;
      record.expiresAtMs = Math.max(record.expiresAtMs, expiresAtMs);
      return listed;
    },
    async loadSession(sid: string) {
      return sessions.get(sid)?.stored();
    },
    async consumeRotation(sid: string, rotation: number, nowMs: number) {
      const record = sessions.get(sid);
      if (record === undefined || record.sub === "") return undefined;
      if (rotation >= record.nextRotation) {
        sessions.sweepIfDue();
        record.nextRotation = rotation + 1;
        record.usedAtMs = nowMs;
        return undefined;
      }
      return rotation === record.nextRotation - 1 ? record.usedAtMs : 0;
    },
    async consumeRefreshToken(tokenId: string, nowMs: number, expiresAtMs: number) {
      const first = used.get(tokenId);
      if (first === undefined) used.set(tokenId, nowMs, expiresAtMs);
      return first;
    },
    async revokeToken(tokenId: string, expiresAtMs: number) {
      revokedTokens.set(tokenId, true, expiresAtMs);
      announce({ kind: "token", id: tokenId });
    },
    async revokeSession(sid: string, unknownExpiresAtMs: number) {
      markRevoked(sid, unknownExpiresAtMs);
    },
    async hitRateLimit(key: string, limit: number, windowMs: number) {
      const now = clock();
      const recent = (calls.get(key) ?? []).filter((at) => at > now - windowMs);
      if (recent.length >= limit) return { allowed: false, retryAfterMs: (recent[0] as number) + windowMs - now };
      calls.set(key, [...recent, now], now + windowMs);
      return { allowed: true, retryAfterMs: 0 };
    },
    async listSessions(sub: string, nowMs: number, issuer?: string) {
      return inventory.list(sub, nowMs, issuer);
    },
    async othersRevokedAt(sub: string, issuer: string) {
      return inventory.cut(sub, issuer);
    },
    async touchSession(sub: string, sid: string, nowMs: number, intervalMs: number) {
      return inventory.touch(sub, sessions.get(sid), nowMs, intervalMs);
    },
    // One synchronous pass, the kept session's check included: no rotation, login or other
    // revokeOtherSessions of this process runs in between.
    async revokeOtherSessions(keep: KeptSession, nowMs: number, unknownExpiresAtMs: number) {
      const { sub, sid: keepSid, issuer } = keep;
      const generation = generationOf(sub);
      if (revokedTokens.get(keep.tokenId) === true || (keep.subjectGeneration ?? generation) < generation) return undefined;
      if (keepSid !== undefined) {
        const kept = sessions.get(keepSid);
        if (kept === undefined || kept.revoked || kept.sub !== sub || kept.generation < generation) return undefined;
        if (!inventory.has(kept, nowMs)) {
          kept.relabel(keep.listing);
          inventory.enlist(kept);
        }
        inventory.cut(sub, issuer, nowMs, unknownExpiresAtMs);
      }
      const others = inventory.others(sub, keepSid, issuer, nowMs);
      for (const sid of others) markRevoked(sid, unknownExpiresAtMs);
      return others;
    },
    async revokeSubject(sub: string, nowMs: number, expiresAtMs: number) {
      const previous = generationOf(sub);
      subjects.extend(sub, Math.max(previous + 1, nowMs), expiresAtMs);
      inventory.forgetSubject(sub);
      announce({ kind: "subject", id: sub });
    },
    // Every first-seen token's check (issue 26): one lookup, the session's. The maps of revoked
    // tokens and subjects are asked only once they hold something (usually they are empty), so a
    // token's new id strings are not hashed for nothing.
    async revocationState(ref: TokenRef): Promise<RevocationState> {
      return {
        tokenRevoked: revokedTokens.size !== 0 && revokedTokens.get(ref.tokenId) === true,
        session: ref.sid === undefined ? undefined : sessions.get(ref.sid)?.stored(),
        subjectGeneration: generationOf(ref.sub),
      };
    },
    subscribe(listener: RevocationListener) {
      listeners.add(listener);
      listener.up();
      return () => void listeners.delete(listener);
    },
    apiKeys: memoryApiKeys(clock, announce),
  };
}

// What a session the store did not hold is "listed" with: it is never listed.
const UNLISTED: SessionListing = { createdAtMs: 0 };
