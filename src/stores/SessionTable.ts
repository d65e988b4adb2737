import type { MemoryInventory } from "./MemoryInventory.js";
import type { SessionRecord } from "./SessionRecord.js";

// Expired sessions are swept out at most this often, by the first write after.
const SWEEP_INTERVAL_MS = 60_000;

/**
 * `memoryStore`'s sessions by `sid`: one record each, which expires at its `expiresAtMs` (gone on
 * read once expired, swept out at most a minute after). A record leaving the table leaves its
 * subject's inventory with it, so both stay bounded by the live sessions. Module-internal.
 *
 * @example
 * ```ts
 * const table = new SessionTable(Date.now, new MemoryInventory(Date.now));
 * table.add(new SessionRecord("sid-1", { sub: "alice" }, 0, Date.now() + 60_000, { createdAtMs: Date.now() }));
 * table.get("sid-1"); // the record, for a minute
 * ```
 */
export class SessionTable {
  readonly #records = new Map<string, SessionRecord>();
  readonly #clock: () => number;
  readonly #inventory: MemoryInventory;
  #nextSweepMs = 0;

  constructor(clock: () => number, inventory: MemoryInventory) {
    this.#clock = clock;
    this.#inventory = inventory;
  }

  /** The live record of `sid`. */
  get(sid: string): SessionRecord | undefined {
    const record = this.#records.get(sid);
    if (record === undefined || record.expiresAtMs > this.#clock()) return record;
    this.#drop(record);
    return undefined;
  }

  /**
   * Saves `record` unless it has expired, in place of any record of its `sid` (which leaves the
   * inventory too: no subject lists a session the table no longer holds). Returns whether it saved.
   */
  add(record: SessionRecord): boolean {
    const now = this.sweepIfDue();
    const previous = this.#records.get(record.sid);
    if (previous !== undefined) this.#drop(previous);
    if (record.expiresAtMs <= now) return false;
    this.#records.set(record.sid, record);
    return true;
  }

  /**
   * Sweeps the expired records out if the last sweep is a minute old, and returns the time: called
   * by every write, records changed in place included, so that a store only written to stays
   * bounded by its live sessions.
   */
  sweepIfDue(): number {
    const now = this.#clock();
    if (now < this.#nextSweepMs) return now;
    this.#nextSweepMs = now + SWEEP_INTERVAL_MS;
    for (const record of this.#records.values()) if (record.expiresAtMs <= now) this.#drop(record);
    return now;
  }

  #drop(record: SessionRecord): void {
    this.#records.delete(record.sid);
    this.#inventory.forget(record);
  }
}
