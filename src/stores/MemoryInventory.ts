import { ExpiringMap } from "./ExpiringMap.js";
import type { ListedSession, SessionListing } from "./SessionInventory.js";

interface Entry {
  readonly listing: SessionListing;
  lastUsedAtMs: number;
  expiresAtMs: number;
}

/**
 * `memoryStore`'s session inventory: per subject, its sessions with their device and last use.
 * A subject's entry lives as long as its longest session; expired sessions are dropped when the
 * subject logs in again or is listed. Module-internal.
 *
 * @example
 * ```ts
 * const inventory = new MemoryInventory(Date.now);
 * inventory.enlist("alice", "sid-1", { createdAtMs: Date.now() }, Date.now() + 60_000);
 * ```
 */
export class MemoryInventory {
  readonly #subjects: ExpiringMap<Map<string, Entry>>;
  readonly #clock: () => number;

  constructor(clock: () => number) {
    this.#clock = clock;
    this.#subjects = new ExpiringMap(clock);
  }

  /** Lists a new session of `sub` until `expiresAtMs`. */
  enlist(sub: string, sid: string, listing: SessionListing, expiresAtMs: number): void {
    const sessions = this.#live(sub) ?? new Map<string, Entry>();
    sessions.set(sid, { listing, lastUsedAtMs: listing.createdAtMs, expiresAtMs });
    this.#keep(sub, sessions);
  }

  /**
   * A rotation: a listed session lives until `expiresAtMs` if later, used at `nowMs` when given;
   * one not listed is listed with `listing` (when given).
   */
  relist(sub: string, sid: string, expiresAtMs: number, nowMs: number | undefined, listing?: SessionListing): void {
    const sessions = this.#live(sub);
    const entry = sessions?.get(sid);
    if (sessions === undefined || entry === undefined) {
      if (listing !== undefined) this.enlist(sub, sid, listing, expiresAtMs);
      return;
    }
    entry.expiresAtMs = Math.max(entry.expiresAtMs, expiresAtMs);
    if (nowMs !== undefined) entry.lastUsedAtMs = Math.max(entry.lastUsedAtMs, nowMs);
    this.#keep(sub, sessions);
  }

  /** Unlists one session. */
  forget(sub: string, sid: string): void {
    this.#live(sub)?.delete(sid);
  }

  /** Unlists every session of `sub`. */
  forgetSubject(sub: string): void {
    this.#subjects.set(sub, new Map(), 0);
  }

  /** See `SessionInventory.listSessions`. */
  list(sub: string, nowMs: number, issuer: string | undefined): ListedSession[] {
    const listed: ListedSession[] = [];
    for (const [sid, { listing, lastUsedAtMs, expiresAtMs }] of this.#live(sub) ?? []) {
      const { issuer: owner, ...device } = listing;
      if (expiresAtMs > nowMs && ofIssuer(owner, issuer)) listed.push({ ...device, sid, lastUsedAtMs });
    }
    return listed;
  }

  /** Whether `sid` is listed (unexpired at `nowMs`). */
  has(sub: string, sid: string, nowMs: number): boolean {
    const entry = this.#live(sub)?.get(sid);
    return entry !== undefined && entry.expiresAtMs > nowMs;
  }

  /** See `SessionInventory.touchSession`. */
  touch(sub: string, sid: string, nowMs: number, intervalMs: number): boolean {
    const entry = this.#live(sub)?.get(sid);
    if (entry === undefined || nowMs - entry.lastUsedAtMs < intervalMs) return false;
    entry.lastUsedAtMs = nowMs;
    return true;
  }

  /** The sessions of `sub` and `issuer` listed at `nowMs` but `keepSid`. */
  others(sub: string, keepSid: string | undefined, issuer: string, nowMs: number): string[] {
    const others: string[] = [];
    for (const [sid, { listing, expiresAtMs }] of this.#live(sub) ?? []) {
      if (sid !== keepSid && expiresAtMs > nowMs && ofIssuer(listing.issuer, issuer)) others.push(sid);
    }
    return others;
  }

  // The subject's sessions that have not expired (the expired ones are dropped).
  #live(sub: string): Map<string, Entry> | undefined {
    const sessions = this.#subjects.get(sub);
    if (sessions === undefined) return undefined;
    const now = this.#clock();
    for (const [sid, entry] of sessions) if (entry.expiresAtMs <= now) sessions.delete(sid);
    return sessions;
  }

  #keep(sub: string, sessions: Map<string, Entry>): void {
    let latest = 0;
    for (const entry of sessions.values()) latest = Math.max(latest, entry.expiresAtMs);
    this.#subjects.set(sub, sessions, latest);
  }
}

// A session listed without an issuer (none given) counts as every issuer's; no issuer asked: all.
function ofIssuer(owner: string | undefined, issuer: string | undefined): boolean {
  return owner === undefined || issuer === undefined || owner === issuer;
}
