import { JwtError } from "../errors.js";
import type { JwtToken } from "../tokens/JwtToken.js";
import type { RevocationEvent } from "../stores/TokenStore.js";

interface Watcher {
  readonly token: JwtToken;
  readonly onRevoked: (error: JwtError) => void;
}

// Without announcements, watched tokens are asked about this often: a revoked subscription
// ends within a second.
const POLL_MS = 500;

/**
 * The tokens of open subscriptions, each told once when it is found revoked: at once when an
 * announcement (or this process's own revocation) may concern it, and by polling the store
 * while there are no announcements (a store without a channel, or a channel that is down). A
 * store failure ends nothing: the subscription keeps its token until the store can answer.
 */
export class RevocationWatchers {
  readonly #lookup: (token: JwtToken) => Promise<JwtToken>;
  readonly #watchers = new Set<Watcher>();
  #live = false;
  #poll: ReturnType<typeof setInterval> | undefined;

  constructor(lookup: (token: JwtToken) => Promise<JwtToken>) {
    this.#lookup = lookup;
  }

  /** Watches `token` until it is found revoked or the returned function is called. */
  watch(token: JwtToken, onRevoked: (error: JwtError) => void): () => void {
    const watcher: Watcher = { token, onRevoked };
    this.#watchers.add(watcher);
    this.#schedule();
    return () => {
      this.#watchers.delete(watcher);
      this.#schedule();
    };
  }

  /** A revocation was made or announced: ask again about every token it may concern. */
  notify(event: RevocationEvent): void {
    for (const watcher of this.#watchers) if (concerns(event, watcher.token)) this.#recheck(watcher);
  }

  /** The channel came up (announcements may have been missed: ask about all) or went down. */
  setLive(live: boolean): void {
    this.#live = live;
    if (live) for (const watcher of this.#watchers) this.#recheck(watcher);
    this.#schedule();
  }

  #recheck(watcher: Watcher): void {
    this.#lookup(watcher.token).catch((error: unknown) => {
      if (!(error instanceof JwtError) || error.code === "STORE_UNAVAILABLE" || !this.#watchers.delete(watcher)) return;
      this.#schedule();
      watcher.onRevoked(error);
    });
  }

  // A polling timer exactly while there are watched tokens and no announcements.
  #schedule(): void {
    const wanted = !this.#live && this.#watchers.size > 0;
    if (wanted && this.#poll === undefined) {
      this.#poll = setInterval(() => {
        for (const watcher of this.#watchers) this.#recheck(watcher);
      }, POLL_MS);
      this.#poll.unref();
    } else if (!wanted && this.#poll !== undefined) {
      clearInterval(this.#poll);
      this.#poll = undefined;
    }
  }
}

// Whether a revocation may concern a token. A token without a `jti` is filed under a hash of
// itself: any token revocation may concern it (such tokens are rare; asking is cheap).
function concerns({ kind, id }: RevocationEvent, token: JwtToken): boolean {
  if (kind === "token") return token.jti === undefined || token.jti === id;
  return kind === "session" ? token.claims["sid"] === id : token.sub === id;
}
