import type { JsonObject, JsonValue } from "../tokens/json.js";
import type { ListedSession, SessionListing } from "./SessionInventory.js";
import type { SessionData, StoredSession } from "./TokenStore.js";

/**
 * Everything `memoryStore` keeps about one session, in one object: what `loadSession` returns,
 * the current rotation, and the inventory's listing (device, last use). The store's map of
 * sessions and the subject's inventory hold the same record, so a login keeps one object (and
 * the heap numbers of its millisecond times) where it used to keep ten (issue 26: every object a
 * live session keeps is copied and marked again by the garbage collector). It never leaves the store: readers get a copy ({@link stored},
 * {@link listed}), so that nothing a caller does with an answer changes the store. Module-internal.
 *
 * @example
 * ```ts
 * const record = new SessionRecord("sid-1", { sub: "alice" }, 0, Date.now() + 60_000, { createdAtMs: Date.now() });
 * record.stored(); // { sub: "alice", generation: 0, revoked: false }
 * ```
 */
export class SessionRecord {
  readonly sid: string;
  sub: string;
  scope: JsonValue | undefined;
  claims: JsonObject | undefined;
  /** The subject's revocation generation when the session was created. */
  readonly generation: number;
  revoked: boolean;
  /** The rotation the session's current refresh token carries. */
  nextRotation = 0;
  /** When the rotation before it was used. */
  usedAtMs = 0;
  expiresAtMs: number;
  // The listing: kept whether or not the inventory lists the session now (MemoryInventory says).
  createdAtMs: number;
  lastUsedAtMs: number;
  issuer: string | undefined;
  userAgent: string | undefined;
  ip: string | undefined;

  constructor(sid: string, { sub, scope, claims }: SessionData, generation: number, expiresAtMs: number, listing: SessionListing, revoked = false) {
    this.sid = sid;
    this.sub = sub;
    this.scope = scope;
    this.claims = claims;
    this.generation = generation;
    this.revoked = revoked;
    this.expiresAtMs = expiresAtMs;
    this.createdAtMs = listing.createdAtMs;
    this.lastUsedAtMs = listing.createdAtMs;
    this.issuer = listing.issuer;
    this.userAgent = listing.userAgent;
    this.ip = listing.ip;
  }

  /** Lists the session anew with `listing`: its device, and its start as its last use. */
  relabel(listing: SessionListing): void {
    this.createdAtMs = listing.createdAtMs;
    this.lastUsedAtMs = listing.createdAtMs;
    this.issuer = listing.issuer;
    this.userAgent = listing.userAgent;
    this.ip = listing.ip;
  }

  /**
   * The session as `loadSession` and `revocationState` return it: a new object each time, with
   * only the fields it has (scope and claims are frozen copies already: see `sessionData`).
   * Written out rather than spread: every first-seen token's check makes one.
   */
  stored(): StoredSession {
    const { sub, scope, claims, generation, revoked } = this;
    if (scope !== undefined) return claims === undefined ? { sub, scope, generation, revoked } : { sub, scope, claims, generation, revoked };
    return claims === undefined ? { sub, generation, revoked } : { sub, claims, generation, revoked };
  }

  /** The session as `listSessions` returns it: its device fields only when it has them. */
  listed(): ListedSession {
    const { createdAtMs, userAgent, ip, sid, lastUsedAtMs } = this;
    return {
      createdAtMs,
      ...(userAgent === undefined ? {} : { userAgent }),
      ...(ip === undefined ? {} : { ip }),
      sid,
      lastUsedAtMs,
    };
  }
}
