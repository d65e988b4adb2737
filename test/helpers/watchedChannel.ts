import type { TokenStore } from "trpc-jwt";
import type { RevocationListener } from "trpc-jwt/types";

/**
 * `store` with its revocation channel watched: the manager given `watched.store` subscribes
 * through it, and `watched.steady(since)` says whether that channel has been up since `since`
 * (a mark taken with `watched.mark()`), with no "down" between. A test that counts a store's
 * reads while remembered verdicts are trusted holds only while the channel stays up: a channel
 * that went down (1.5 s without a message, which a loaded machine can cause) drops them, by
 * design, and every use reads the store until it is up again.
 *
 * @example
 * ```ts
 * const watched = watchedChannel(await redis.open());
 * const auth = new AuthManager({ ...options, store: watched.store });
 * const mark = watched.mark();
 * // ... the calls whose reads are counted
 * if (!watched.steady(mark)) // the count is not this test's to judge: measure again
 * ```
 */
export function watchedChannel<TStore extends TokenStore>(store: TStore) {
  const subscribe = store.subscribe;
  if (subscribe === undefined) throw new Error("watchedChannel: the store has no revocation channel");
  let downs = 0;
  let live = false;
  const watch = (listener: RevocationListener): RevocationListener => ({
    event: (event) => listener.event(event),
    up: () => {
      live = true;
      listener.up();
    },
    down: (sinceMs) => {
      live = false;
      downs++;
      listener.down(sinceMs);
    },
  });
  return {
    store: { ...store, subscribe: (listener: RevocationListener) => subscribe(watch(listener)) } as TStore,
    /** A mark for `steady`: the channel's state now. */
    mark: () => ({ live, downs }),
    /** Whether the channel was up at `mark` and has not gone down since. */
    steady: (mark: { readonly live: boolean; readonly downs: number }) => mark.live && downs === mark.downs,
  };
}
