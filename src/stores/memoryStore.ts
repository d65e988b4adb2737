import { clockOf, objectOf, optionNames } from "../options/validate.js";
import { ExpiringMap } from "./ExpiringMap.js";
import { MemoryInventory } from "./MemoryInventory.js";
import type { KeptSession, SessionListing } from "./SessionInventory.js";
import { memoryApiKeys } from "./memoryApiKeys.js";
import type { RevocationEvent, RevocationListener, RevocationState, SessionData, StoredSession, TokenRef, TokenStore } from "./TokenStore.js";

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
  // A session with its current rotation: one entry per session, however often it rotates.
  const sessions = new ExpiringMap<SessionEntry>(clock);
  const used = new ExpiringMap<number>(clock);
  const revokedTokens = new ExpiringMap<true>(clock);
  const subjects = new ExpiringMap<number>(clock);
  const inventory = new MemoryInventory(clock);
  // Per rate-limit key, when each call still in its window was allowed.
  const calls = new ExpiringMap<number[]>(clock);
  const listeners = new Set<RevocationListener>();
  const announce = (event: RevocationEvent) => {
    for (const listener of listeners) listener.event(event);
  };

  function markRevoked(sid: string, unknownExpiresAtMs: number): void {
    const entry = sessions.get(sid) ?? { session: { sub: "", generation: 0, revoked: true }, next: 0, usedAtMs: 0 };
    sessions.set(sid, { ...entry, session: { ...entry.session, revoked: true } }, sessions.expiresAt(sid) ?? unknownExpiresAtMs);
    inventory.forget(entry.session.sub, sid);
    announce({ kind: "session", id: sid });
  }

  // Async functions, so that a mistake in one becomes a rejection, as with any other store.
  return {
    async createSession(sid: string, data: SessionData, expiresAtMs: number, listing?: SessionListing) {
      // The map of revoked subjects is asked only once it holds one (see revocationState).
      const generation = subjects.size === 0 ? 0 : (subjects.get(data.sub) ?? 0);
      sessions.set(sid, { session: storedSession(data, generation, false), next: 0, usedAtMs: 0 }, expiresAtMs);
      inventory.enlist(data.sub, sid, listing ?? { createdAtMs: clock() }, expiresAtMs);
    },
    async updateSession(sid: string, data: SessionData, expiresAtMs: number, nowMs?: number, listing?: SessionListing) {
      const entry = sessions.get(sid);
      if (entry === undefined) return;
      const listed = entry.session.revoked || inventory.relist(data.sub, sid, expiresAtMs, nowMs, listing);
      const { generation, revoked } = entry.session;
      sessions.extend(sid, { ...entry, session: storedSession(data, generation, revoked) }, expiresAtMs);
      return listed;
    },
    async loadSession(sid: string) {
      return sessions.get(sid)?.session;
    },
    async consumeRotation(sid: string, rotation: number, nowMs: number) {
      const entry = sessions.get(sid);
      if (entry === undefined || entry.session.sub === "") return undefined;
      if (rotation >= entry.next) {
        sessions.set(sid, { ...entry, next: rotation + 1, usedAtMs: nowMs }, sessions.expiresAt(sid) ?? 0);
        return undefined;
      }
      return rotation === entry.next - 1 ? entry.usedAtMs : 0;
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
      return inventory.touch(sub, sid, nowMs, intervalMs);
    },
    // One synchronous pass, the kept session's check included: no rotation, login or other
    // revokeOtherSessions of this process runs in between.
    async revokeOtherSessions(keep: KeptSession, nowMs: number, unknownExpiresAtMs: number) {
      const { sub, sid: keepSid, issuer } = keep;
      const generation = subjects.get(sub) ?? 0;
      if (revokedTokens.get(keep.tokenId) === true || (keep.subjectGeneration ?? generation) < generation) return undefined;
      if (keepSid !== undefined) {
        const kept = sessions.get(keepSid);
        if (kept === undefined || kept.session.revoked || kept.session.sub !== sub || kept.session.generation < generation) return undefined;
        if (!inventory.has(sub, keepSid, nowMs)) inventory.enlist(sub, keepSid, keep.listing, sessions.expiresAt(keepSid) ?? nowMs);
        inventory.cut(sub, issuer, nowMs, unknownExpiresAtMs);
      }
      const others = inventory.others(sub, keepSid, issuer, nowMs);
      for (const sid of others) markRevoked(sid, unknownExpiresAtMs);
      return others;
    },
    async revokeSubject(sub: string, nowMs: number, expiresAtMs: number) {
      const previous = subjects.get(sub) ?? 0;
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
        session: ref.sid === undefined ? undefined : sessions.get(ref.sid)?.session,
        subjectGeneration: subjects.size === 0 ? 0 : (subjects.get(ref.sub) ?? 0),
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

interface SessionEntry {
  readonly session: StoredSession;
  /** The rotation the session's current refresh token carries. */
  readonly next: number;
  /** When the one before it was used. */
  readonly usedAtMs: number;
}

// Only the fields a session keeps, never more of what the caller passed. Written out rather than
// spread: this is on every login's path, and a login without scope or claims makes one object.
function storedSession({ sub, scope, claims }: SessionData, generation: number, revoked: boolean): StoredSession {
  if (scope !== undefined) return claims === undefined ? { sub, scope, generation, revoked } : { sub, scope, claims, generation, revoked };
  return claims === undefined ? { sub, generation, revoked } : { sub, claims, generation, revoked };
}
