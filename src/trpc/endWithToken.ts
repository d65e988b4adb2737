import { isObservable, observable, type Observable } from "@trpc/server/observable";

/**
 * Starts watching the subscription's token: calls `end` with the error that ends the
 * subscription (its token expired or was revoked) at most once; returns a function that stops
 * watching.
 */
export type TokenWatch = (end: (error: Error) => void) => () => void;

/**
 * A subscription's result (an async iterable, or a legacy observable) that fails with the
 * watch's error as soon as the watch ends it, even while the procedure waits for its next
 * value; other subscriptions are untouched. The watch starts when the subscription is consumed
 * and stops when it ends in any way, so nothing is left armed. Anything else is returned as is.
 * Module-internal.
 *
 * @example
 * ```ts
 * const data = endWithToken(result.data, (end) => watchDeadline(expiryOf(source, token), () => end(expiredError())));
 * ```
 */
export function endWithToken(data: unknown, watch: TokenWatch): unknown {
  if (isObservable(data)) return observableEndingWith(data as Observable<unknown, unknown>, watch);
  if (isAsyncIterable(data)) return iterableEndingWith(data, watch);
  return data;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === "object" && value !== null && typeof (value as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] === "function";
}

function iterableEndingWith<T>(iterable: AsyncIterable<T>, watch: TokenWatch): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<T> {
      const inner = iterable[Symbol.asyncIterator]();
      let ended: Error | undefined;
      // Rejects the `next()` the consumer is waiting on. Deliberately not Promise.race against
      // one shared promise: every race would leave a reaction on it for the subscription's life.
      let interrupt: ((error: Error) => void) | undefined;
      const stop = watch((error) => {
        ended = error;
        const waiting = interrupt;
        interrupt = undefined;
        waiting?.(error);
        // Not every consumer returns an iterator whose next() failed (SSE's for-await does
        // not): end the procedure's iteration here, so its listeners go. A generator waiting
        // inside an await runs its finally once that await settles, or when tRPC aborts its signal.
        inner.return?.()?.catch(() => undefined);
      });
      return {
        next: () => {
          if (ended !== undefined) return Promise.reject(ended);
          return new Promise<IteratorResult<T>>((resolve, reject) => {
            interrupt = reject;
            inner.next().then(
              (result) => {
                interrupt = undefined;
                if (result.done === true) stop();
                resolve(result);
              },
              (error: unknown) => {
                interrupt = undefined;
                stop();
                reject(error);
              },
            );
          });
        },
        return: (value?: unknown) => {
          stop();
          // Ended by its token: already returned above; the subscription's end does not wait for
          // a procedure that may be waiting for an event that never comes.
          return (ended === undefined ? inner.return?.(value) : undefined) ?? Promise.resolve({ done: true, value: undefined });
        },
      };
    },
  };
}

function observableEndingWith<T>(source: Observable<T, unknown>, watch: TokenWatch): Observable<T, unknown> {
  return observable<T, unknown>((observer) => {
    const subscription = source.subscribe(observer);
    const stop = watch((error) => {
      subscription.unsubscribe();
      observer.error(error);
    });
    return () => {
      stop();
      subscription.unsubscribe();
    };
  });
}
