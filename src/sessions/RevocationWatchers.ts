import { JwtError } from "../errors.js";
import type { JwtToken } from "../tokens/JwtToken.js";
import type { RevocationEvent } from "../stores/TokenStore.js";

type OnRevoked = (error: JwtError) => void;

/** The subscriptions watching one token: the store is asked once for all of them. */
interface Group {
  readonly token: JwtToken;
  readonly watchers: Set<OnRevoked>;
  /** A lookup is under way: no second one is started meanwhile. */
  asking: boolean;
  /** When the next poll may ask (ms, `performance.now()`), and the wait after it. */
  nextPollMs: number;
  waitMs: number;
  /** Up to when the token is known unrevoked (ms, `performance.now()`): its last successful check. */
  checkedMs: number;
  /** Its last check failed: it is asked again (with back-off) until one succeeds, channel or not. */
  failing: boolean;
}

// Without announcements, watched tokens are asked about this often: a revoked subscription
// ends within a second, and one token costs under 2 store commands per second (1.6 at most).
// A store that fails is asked less and less often, up to MAX_WAIT_MS.
const POLL_MS = 600;
const MAX_WAIT_MS = 4_000;
/**
 * A subscription whose token cannot be checked for longer than this ends with 503 STORE_UNAVAILABLE.
 * 4.5 s, inside the 5 s the contract allows: a busy event loop reads its timer late.
 */
export const UNCHECKED_LIMIT_MS = 4_500;
// How often the timer looks for a token due: a poll comes at most this late.
const TICK_MS = 50;

/**
 * The tokens of open subscriptions, each subscription told once when its token is found
 * revoked: at once when an announcement (or this process's own revocation) may concern it, and
 * by polling the store while there are no announcements (a store without a channel, or a
 * channel that is down). Subscriptions with the same token share one question to the store, so
 * polling costs one lookup per distinct token, never one per subscription (1,000 subscriptions of
 * one token: one lookup every 600 ms). A failed check is asked again, less and less often, until
 * one succeeds, even once the channel is back (its announcements during the outage are lost); a
 * token that cannot be checked for {@link UNCHECKED_LIMIT_MS} ends its subscriptions with
 * STORE_UNAVAILABLE rather than keep streaming what may have been revoked.
 */
export class RevocationWatchers {
  readonly #lookup: (token: JwtToken) => Promise<JwtToken>;
  readonly #namespace: string;
  // By the token's `jti`, or the token itself when it has none.
  readonly #groups = new Map<string, Group>();
  #live = false;
  // When the channel last came up (ms, `performance.now()`): announcements are heard from then on.
  #liveSinceMs = 0;
  #poll: ReturnType<typeof setInterval> | undefined;

  /** `namespace`: what the store's ids of these tokens are prefixed with (see `RevocationCheck`). */
  constructor(lookup: (token: JwtToken) => Promise<JwtToken>, namespace = "") {
    this.#lookup = lookup;
    this.#namespace = namespace;
  }

  /** Watches `token` (just checked) until it is found revoked or the returned function is called. */
  watch(token: JwtToken, onRevoked: (error: JwtError) => void): () => void {
    const key = token.jti ?? token.signed;
    let group = this.#groups.get(key);
    if (group === undefined) {
      const now = performance.now();
      group = { token, watchers: new Set(), asking: false, nextPollMs: now + POLL_MS, waitMs: POLL_MS, checkedMs: now, failing: false };
      this.#groups.set(key, group);
    }
    // A function of its own per call: the same callback watching twice is two watchers.
    const watcher: OnRevoked = (error) => onRevoked(error);
    group.watchers.add(watcher);
    this.#schedule();
    return () => {
      group.watchers.delete(watcher);
      if (group.watchers.size === 0 && this.#groups.get(key) === group) this.#groups.delete(key);
      this.#schedule();
    };
  }

  /** A revocation was made or announced: ask again about every token it may concern. */
  notify(event: RevocationEvent): void {
    for (const [key, group] of this.#groups) if (concerns(event, group.token, this.#namespace)) this.#recheck(key, group, true);
  }

  /**
   * The channel came up (announcements may have been missed: ask about all) or went down;
   * `sinceMs` (`performance.now()`): when it was last known to work, so what was known then holds.
   */
  setLive(live: boolean, sinceMs = performance.now()): void {
    if (live && !this.#live) this.#liveSinceMs = performance.now();
    this.#live = live;
    if (live) for (const [key, group] of this.#groups) this.#recheck(key, group, true);
    else for (const group of this.#groups.values()) group.checkedMs = Math.max(group.checkedMs, Math.min(sinceMs, performance.now()));
    this.#schedule();
  }

  // `now`: asked because something happened, even while a poll is under way (its answer may
  // predate the revocation).
  #recheck(key: string, group: Group, now: boolean): void {
    if (group.asking && !now) return;
    group.asking = true;
    const startedMs = performance.now();
    group.nextPollMs = startedMs + group.waitMs;
    this.#lookup(group.token).then(
      () => {
        group.asking = false;
        group.waitMs = POLL_MS;
        group.checkedMs = Math.max(group.checkedMs, startedMs);
        group.failing = false;
        this.#schedule();
      },
      (error: unknown) => {
        group.asking = false;
        if (error instanceof JwtError && error.code !== "STORE_UNAVAILABLE") return this.#end(key, group, error);
        // Heard on the channel from its last check to this question, the token was known
        // unrevoked until it was asked: its allowance starts there, not at its last check (a token
        // watched for a minute would otherwise be ended at once, never asked again).
        if (this.#live && !group.failing && this.#liveSinceMs <= group.checkedMs) group.checkedMs = Math.max(group.checkedMs, startedMs);
        group.failing = true;
        group.waitMs = Math.min(group.waitMs * 2, MAX_WAIT_MS);
        group.nextPollMs = startedMs + group.waitMs;
        this.#schedule();
      },
    );
  }

  #end(key: string, group: Group, error: JwtError): void {
    if (this.#groups.get(key) !== group) return; // told already, or nobody watches any more
    this.#groups.delete(key);
    this.#schedule();
    for (const watcher of group.watchers) watcher(error);
  }

  // A token is in doubt while nothing announces (channel down) or its last check failed.
  #inDoubt(group: Group): boolean {
    return !this.#live || group.failing;
  }

  #tick(): void {
    const now = performance.now();
    for (const [key, group] of this.#groups) {
      if (!this.#inDoubt(group)) continue;
      if (now - group.checkedMs > UNCHECKED_LIMIT_MS) this.#end(key, group, new JwtError("STORE_UNAVAILABLE"));
      else if (group.nextPollMs <= now) this.#recheck(key, group, false);
    }
  }

  // A polling timer exactly while some watched token is in doubt.
  #schedule(): void {
    let wanted = false;
    for (const group of this.#groups.values()) if ((wanted = this.#inDoubt(group))) break;
    if (wanted && this.#poll === undefined) {
      this.#poll = setInterval(() => this.#tick(), TICK_MS);
      this.#poll.unref();
    } else if (!wanted && this.#poll !== undefined) {
      clearInterval(this.#poll);
      this.#poll = undefined;
    }
  }
}

// Whether a revocation may concern a token. A token without a `jti` is filed under a hash of
// itself: any token revocation may concern it (such tokens are rare; asking is cheap).
function concerns({ kind, id }: RevocationEvent, token: JwtToken, namespace: string): boolean {
  if (kind === "apikey" || token.type === "apikey") return kind === "apikey" && token.type === "apikey" && token.jti === id;
  if (kind === "token") return token.jti === undefined || namespace + token.jti === id;
  const sid = token.claims["sid"];
  return kind === "session" ? typeof sid === "string" && namespace + sid === id : namespace + token.sub === id;
}
