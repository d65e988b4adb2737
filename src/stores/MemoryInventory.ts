import { ExpiringMap } from "./ExpiringMap.js";
import type { ListedSession, SessionListing } from "./SessionInventory.js";

interface Entry {
  readonly listing: SessionListing;
  lastUsedAtMs: number;
  expiresAtMs: number;
}

// A subject's sessions, and when its expired ones are next dropped.
interface Subject {
  readonly sessions: Map<string, Entry>;
  sweepAtMs: number;
}

// Expired sessions of a subject are dropped at most this often: a login or a rotation costs the
// same with one session listed or 100,000 (each used to walk them all, twice).
const SWEEP_INTERVAL_MS = 60_000;
// A session not listed at a rotation was missed by a revokeOtherSessions when it started this much
// before it (auth_time is whole seconds, and processes' clocks differ).
export const MISSED_MARGIN_MS = 2000;

/**
 * `memoryStore`'s session inventory: per subject, its sessions with their device and last use.
 * A subject's entry lives as long as its longest session; an expired session is never listed,
 * and dropped within a minute of the subject's next use. Module-internal.
 *
 * @example
 * ```ts
 * const inventory = new MemoryInventory(Date.now);
 * inventory.enlist("alice", "sid-1", { createdAtMs: Date.now() }, Date.now() + 60_000);
 * ```
 */
export class MemoryInventory {
  readonly #subjects: ExpiringMap<Subject>;
  // `revokeOtherSessions`' last call with a kept session, per issuer and subject.
  readonly #cuts: ExpiringMap<number>;
  readonly #clock: () => number;

  constructor(clock: () => number) {
    this.#clock = clock;
    this.#subjects = new ExpiringMap(clock);
    this.#cuts = new ExpiringMap(clock);
  }

  /** See `SessionInventory.othersRevokedAt`: set by a `revokeOtherSessions` keeping a session. */
  cut(sub: string, issuer: string, atMs?: number, untilMs?: number): number {
    const key = JSON.stringify([sub, issuer]);
    if (atMs !== undefined) this.#cuts.set(key, atMs, untilMs ?? atMs);
    return this.#cuts.get(key) ?? 0;
  }

  /** Lists a new session of `sub` until `expiresAtMs`. */
  enlist(sub: string, sid: string, listing: SessionListing, expiresAtMs: number): void {
    const subject = this.#subject(sub) ?? { sessions: new Map<string, Entry>(), sweepAtMs: this.#clock() + SWEEP_INTERVAL_MS };
    subject.sessions.set(sid, { listing, lastUsedAtMs: listing.createdAtMs, expiresAtMs });
    this.#keep(sub, subject, expiresAtMs);
  }

  /**
   * A rotation: a listed session lives until `expiresAtMs` if later, used at `nowMs` when given;
   * one not listed is listed with `listing` (when given), unless it is older than the last
   * `revokeOtherSessions` of its issuer: then `false` (that call missed it).
   */
  relist(sub: string, sid: string, expiresAtMs: number, nowMs: number | undefined, listing?: SessionListing): boolean {
    const subject = this.#subject(sub);
    const entry = this.#live(subject?.sessions.get(sid));
    if (subject === undefined || entry === undefined) {
      if (listing === undefined) return true;
      if (listing.createdAtMs + MISSED_MARGIN_MS < this.cut(sub, listing.issuer ?? "")) return false;
      this.enlist(sub, sid, listing, expiresAtMs);
      return true;
    }
    entry.expiresAtMs = Math.max(entry.expiresAtMs, expiresAtMs);
    if (nowMs !== undefined) entry.lastUsedAtMs = Math.max(entry.lastUsedAtMs, nowMs);
    this.#keep(sub, subject, entry.expiresAtMs);
    return true;
  }

  /** Unlists one session. */
  forget(sub: string, sid: string): void {
    this.#subject(sub)?.sessions.delete(sid);
  }

  /** Unlists every session of `sub`. */
  forgetSubject(sub: string): void {
    this.#subjects.set(sub, { sessions: new Map(), sweepAtMs: 0 }, 0);
  }

  /** See `SessionInventory.listSessions`. */
  list(sub: string, nowMs: number, issuer: string | undefined): ListedSession[] {
    return this.#listed(sub, nowMs, issuer).map(([sid, { listing, lastUsedAtMs }]) => {
      const { issuer: _owner, ...device } = listing;
      return { ...device, sid, lastUsedAtMs };
    });
  }

  /** Whether `sid` is listed (unexpired at `nowMs`). */
  has(sub: string, sid: string, nowMs: number): boolean {
    const entry = this.#live(this.#subject(sub)?.sessions.get(sid));
    return entry !== undefined && entry.expiresAtMs > nowMs;
  }

  /** See `SessionInventory.touchSession`. */
  touch(sub: string, sid: string, nowMs: number, intervalMs: number): boolean {
    const entry = this.#live(this.#subject(sub)?.sessions.get(sid));
    if (entry === undefined || nowMs - entry.lastUsedAtMs < intervalMs) return false;
    entry.lastUsedAtMs = nowMs;
    return true;
  }

  /** The sessions of `sub` and `issuer` listed at `nowMs` but `keepSid`. */
  others(sub: string, keepSid: string | undefined, issuer: string, nowMs: number): string[] {
    return this.#listed(sub, nowMs, issuer).flatMap(([sid]) => (sid === keepSid ? [] : [sid]));
  }

  // The sessions of `sub` listed at `nowMs`, of `issuer` when given. A session listed without an
  // issuer (none given) counts as every issuer's.
  #listed(sub: string, nowMs: number, issuer: string | undefined): [string, Entry][] {
    const owned = (owner: string | undefined) => owner === undefined || issuer === undefined || owner === issuer;
    return [...(this.#subject(sub)?.sessions ?? [])].filter(
      ([, entry]) => entry.expiresAtMs > nowMs && this.#live(entry) !== undefined && owned(entry.listing.issuer),
    );
  }

  // The subject's sessions, the expired ones dropped if the last sweep is a minute old; until
  // then an expired one is still there, and every reader passes it through #live.
  #subject(sub: string): Subject | undefined {
    const subject = this.#subjects.get(sub);
    if (subject === undefined) return undefined;
    const now = this.#clock();
    if (now >= subject.sweepAtMs) {
      subject.sweepAtMs = now + SWEEP_INTERVAL_MS;
      for (const [sid, entry] of subject.sessions) if (entry.expiresAtMs <= now) subject.sessions.delete(sid);
    }
    return subject;
  }

  // The entry, unless it has expired.
  #live(entry: Entry | undefined): Entry | undefined {
    return entry !== undefined && entry.expiresAtMs > this.#clock() ? entry : undefined;
  }

  // The subject is kept as long as its longest session: its expiry only grows.
  #keep(sub: string, subject: Subject, expiresAtMs: number): void {
    this.#subjects.extend(sub, subject, expiresAtMs);
  }
}
