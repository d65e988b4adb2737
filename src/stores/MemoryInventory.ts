import { ExpiringMap } from "./ExpiringMap.js";
import type { ListedSession, SessionListing } from "./SessionInventory.js";
import type { SessionRecord } from "./SessionRecord.js";

// A session not listed at a rotation was missed by a revokeOtherSessions when it started this much
// before it (auth_time is whole seconds, and processes' clocks differ).
export const MISSED_MARGIN_MS = 2000;

// A subject's listed sessions: its one record, or a set of them while it has two or more. Most
// subjects have one session, and a set of one would be two more objects per session.
type Listed = SessionRecord | Set<SessionRecord>;

/**
 * `memoryStore`'s session inventory: per subject, its listed sessions' records (the very records
 * the store finds by `sid`, so a listing costs no object of its own). A revoked
 * session is unlisted at once; an expired one is never listed, and its record leaves its
 * subject's listing when the store sweeps it out (see `SessionTable`). A subject is kept while it
 * lists a session. Module-internal.
 *
 * @example
 * ```ts
 * const inventory = new MemoryInventory(Date.now);
 * inventory.enlist(new SessionRecord("sid-1", { sub: "alice" }, 0, Date.now() + 60_000, { createdAtMs: Date.now() }));
 * ```
 */
export class MemoryInventory {
  readonly #subjects = new Map<string, Listed>();
  // `revokeOtherSessions`' last call with a kept session, per issuer and subject.
  readonly #cuts: ExpiringMap<number>;
  readonly #clock: () => number;

  constructor(clock: () => number) {
    this.#clock = clock;
    this.#cuts = new ExpiringMap(clock);
  }

  /** See `SessionInventory.othersRevokedAt`: set by a `revokeOtherSessions` keeping a session. */
  cut(sub: string, issuer: string, atMs?: number, untilMs?: number): number {
    const key = JSON.stringify([sub, issuer]);
    if (atMs !== undefined) this.#cuts.set(key, atMs, untilMs ?? atMs);
    return this.#cuts.get(key) ?? 0;
  }

  /** Lists a session under its subject (listed already: nothing changes). */
  enlist(record: SessionRecord): void {
    const listed = this.#subjects.get(record.sub);
    if (listed === undefined) this.#subjects.set(record.sub, record);
    else if (listed instanceof Set) listed.add(record);
    else if (listed !== record) this.#subjects.set(record.sub, new Set([listed, record]));
  }

  /**
   * A rotation of a live, unrevoked session, used at `nowMs` when given: one not listed is listed
   * with `listing` (when given), unless it is older than the last `revokeOtherSessions` of its
   * issuer: then `false` (that call missed it).
   */
  relist(record: SessionRecord, nowMs: number | undefined, listing?: SessionListing): boolean {
    if (!this.#listed(record)) {
      if (listing === undefined) return true;
      if (listing.createdAtMs + MISSED_MARGIN_MS < this.cut(record.sub, listing.issuer ?? "")) return false;
      record.relabel(listing);
      this.enlist(record);
    }
    // Listed anew too: the rotation is its last use (as redisStore records it), and no process
    // writes a use of the rotation's tokens for their first minute (SessionDevices.used).
    if (nowMs !== undefined) record.lastUsedAtMs = Math.max(record.lastUsedAtMs, nowMs);
    return true;
  }

  /** Unlists one session. */
  forget(record: SessionRecord): void {
    const listed = this.#subjects.get(record.sub);
    if (listed === record) this.#subjects.delete(record.sub);
    else if (listed instanceof Set && listed.delete(record) && listed.size === 1) this.#subjects.set(record.sub, listed.values().next().value as SessionRecord);
  }

  /** Unlists every session of `sub`. */
  forgetSubject(sub: string): void {
    this.#subjects.delete(sub);
  }

  /** See `SessionInventory.listSessions`. */
  list(sub: string, nowMs: number, issuer: string | undefined): ListedSession[] {
    return this.#listedAt(sub, nowMs, issuer).map((record) => record.listed());
  }

  /** Whether a live session is listed, and unexpired at `nowMs`. */
  has(record: SessionRecord, nowMs: number): boolean {
    return record.expiresAtMs > nowMs && this.#listed(record);
  }

  /** See `SessionInventory.touchSession`, for a live session of `sub` (`undefined`: none). */
  touch(sub: string, record: SessionRecord | undefined, nowMs: number, intervalMs: number): boolean {
    if (record === undefined || record.sub !== sub || !this.#listed(record) || nowMs - record.lastUsedAtMs < intervalMs) return false;
    record.lastUsedAtMs = nowMs;
    return true;
  }

  /** The sessions of `sub` and `issuer` listed at `nowMs` but `keepSid`. */
  others(sub: string, keepSid: string | undefined, issuer: string, nowMs: number): string[] {
    return this.#listedAt(sub, nowMs, issuer).flatMap(({ sid }) => (sid === keepSid ? [] : [sid]));
  }

  // The records of `sub` listed and unexpired at `nowMs` (and now), of `issuer` when given. A
  // session listed without an issuer counts as every issuer's.
  #listedAt(sub: string, nowMs: number, issuer: string | undefined): SessionRecord[] {
    const now = this.#clock();
    const owned = (owner: string | undefined) => owner === undefined || issuer === undefined || owner === issuer;
    const listed = this.#subjects.get(sub);
    const records = listed === undefined ? [] : listed instanceof Set ? [...listed] : [listed];
    return records.filter((record) => record.expiresAtMs > nowMs && record.expiresAtMs > now && owned(record.issuer));
  }

  #listed(record: SessionRecord): boolean {
    const listed = this.#subjects.get(record.sub);
    return listed === record || (listed instanceof Set && listed.has(record));
  }
}
