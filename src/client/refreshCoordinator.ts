import type { TRPCClientError, TRPCLink } from "@trpc/client";
import type { AnyTRPCRouter } from "@trpc/server";
import { observable, type Unsubscribable } from "@trpc/server/observable";
import { JwtConfigError, type JwtErrorCode } from "../errors.js";
import { jwtErrorAction, settleError, type JwtErrorAction } from "./jwtErrorAction.js";
import { jwtErrorCode } from "./jwtErrorCode.js";

/**
 * What a refresh link gives {@link refreshCoordinator}: where its credential is, how it refreshes,
 * and its two policies (`subscriptions`, `mayResend`). `refreshLink` (bearer tokens in a token
 * store), `cookieRefreshLink` (HttpOnly cookies) and `stepUpLink` (a re-authentication, whose
 * "credential" is how many step-ups have completed) are each one of these. Module-internal.
 */
export interface RefreshSource<TRouter extends AnyTRPCRouter = AnyTRPCRouter> {
  /**
   * The credential calls go out with now, as far as the link can see it; only ever compared. A
   * call may trigger a refresh, or end the session, only while what it was sent with is still
   * current. `undefined`: calls go out with no credential, so such a call's refusal ends nothing.
   */
  current(): string | undefined;
  /**
   * Refreshes the session whose credential was `seen`, for the call that failed with `error` (the
   * first of those that wait; none before a first send). Resolves once a new credential is in
   * place, or once the session has moved on meanwhile (then it writes nothing, and `mayResend`
   * judges what is current), with what it was made for (`refreshAgain` reads it). Rejects with
   * the refusal only while the session is still `seen`'s.
   */
  refresh(seen: string | undefined, error?: TRPCClientError<TRouter>): Promise<unknown>;
  /** A further call's `error`, refused while a refresh it will wait for is in flight. Omitted: not told. */
  readonly joined?: ((error: TRPCClientError<TRouter>) => void) | undefined;
  /**
   * A call refused again (`error`) after the refresh it waited for, which resolved with `madeFor`:
   * whether it gets a refresh of its own, because that one was made for another need (a step-up
   * that asked for another level). Each call is sent at most three times. Omitted: never.
   */
  readonly refreshAgain?: ((error: TRPCClientError<TRouter>, madeFor: unknown) => boolean) | undefined;
  /**
   * Ends the session `seen` (its refresh was refused, or the server ended it): forget it, call
   * `onLogout`. Omitted: the link has no session to end (a step-up the user cancelled leaves the
   * session as it was): a refresh that rejects fails the calls that waited with their own errors,
   * untouched.
   */
  readonly endSession?: ((seen: string | undefined) => void) | undefined;
  /** Whether a call's error warrants a refresh (before the policies below). */
  shouldRefresh(error: unknown): boolean;
  /**
   * Policy: whether a call that failed with `sent` may be sent again now that `now` is current
   * (after a refresh, or after the credential changed while it was on the wire). `false` fails
   * it as `"login"`: a call must never go out as another user than the one who made it.
   */
  mayResend(sent: string | undefined, now: string | undefined): boolean;
  /**
   * Policy for subscriptions. `"resubscribe"`: a subscription the server ends with an expired
   * credential is refreshed like a call and subscribed again from its input; once it receives
   * data again, its next expiry is handled likewise. `"pass"`: the link leaves subscriptions
   * alone (no refresh before, none after), apart from a session-ending error.
   */
  readonly subscriptions: "resubscribe" | "pass";
  /** Whether `current` is about to expire: a call's first send then waits for a refresh, and for one already running. Omitted: never. */
  readonly expiresSoon?: ((current: string) => boolean) | undefined;
  /** A wait before anything is sent, asked again after it (a socket bound to a replaced credential is closing). */
  readonly hold?: (() => Promise<void> | undefined) | undefined;
  /** An error to fail with instead of refreshing, when there is evidence a refresh cannot help. */
  readonly insteadOfRefresh?:
    ((error: TRPCClientError<TRouter>, sent: string | undefined, isRetry: boolean) => TRPCClientError<TRouter> | undefined) | undefined;
}

// What a refresh came to. `made`: a new credential may be in place, whoever put it there
// (`mayResend` judges it), and what the refresh resolved with. `failAs`: the calls that waited
// fail with that action ("login", "retry-later"), or untouched (undefined: it ended nothing).
type Settled = { readonly made: unknown } | { readonly failAs: "login" | "retry-later" | undefined };

// A call is sent at most this many times: its first send, and a resend after each refresh it
// waited for (a second only when `refreshAgain` grants it).
const MAX_SENDS = 3;

// The server ended the session itself: no refresh can help.
const ENDS_SESSION: ReadonlySet<JwtErrorCode> = new Set(["TOKEN_REVOKED", "TOKEN_REUSED"]);

/**
 * The one refresh machinery behind both refresh links: a single refresh in flight shared by every
 * call that fails meanwhile, what its outcome means for those calls (`"login"`, `"retry-later"`,
 * sent once more), the errors that end the session, and cancellation. Module-internal.
 *
 * @example
 * ```ts
 * return refreshCoordinator<TRouter>({ current, refresh, endSession, shouldRefresh, mayResend: () => true, subscriptions: "pass" });
 * ```
 */
export function refreshCoordinator<TRouter extends AnyTRPCRouter>(source: RefreshSource<TRouter>): TRPCLink<TRouter> {
  let inflight: Promise<Settled> | undefined;

  async function runRefresh(seen: string | undefined, failed: TRPCClientError<TRouter> | undefined): Promise<Settled> {
    try {
      return { made: await source.refresh(seen, failed) };
    } catch (error) {
      if (source.endSession === undefined) return { failAs: undefined };
      if (jwtErrorAction(error) === "retry-later") return { failAs: "retry-later" };
      source.endSession(seen);
      return { failAs: "login" };
    }
  }

  // One refresh at a time: every call that fails while it runs waits for the same result.
  function refreshOnce(seen: string | undefined, failed?: TRPCClientError<TRouter>): Promise<Settled> {
    if (inflight !== undefined) {
      if (failed !== undefined) source.joined?.(failed);
      return inflight;
    }
    inflight = runRefresh(seen, failed).finally(() => {
      inflight = undefined;
    });
    return inflight;
  }

  // Before a call's first send: refresh first when the credential is about to expire.
  function ready(): Promise<Settled> | undefined {
    if (source.expiresSoon === undefined) return undefined;
    const current = source.current();
    return current !== undefined && source.expiresSoon(current) ? refreshOnce(current) : inflight;
  }

  return () =>
    ({ op, next }) =>
      observable((observer) => {
        let subscription: Unsubscribable | undefined;
        let disposed = false;
        let sentWith: string | undefined;
        let sends = 0;
        // What the refresh this call last waited for was made for.
        let madeFor: unknown;
        const subscribing = op.type === "subscription";
        const leftAlone = subscribing && source.subscriptions === "pass";

        const fail = (error: TRPCClientError<TRouter>, action?: JwtErrorAction) => {
          if (!disposed) observer.error(action === undefined ? error : settleError(error, action));
        };

        function send(isRetry: boolean): void {
          const held = source.hold?.();
          if (held !== undefined) {
            void held.then(() => disposed || send(isRetry));
            return;
          }
          sentWith = source.current();
          sends++;
          subscription = next(op).subscribe({
            next: (value) => {
              // A subscription that receives data again on its new credential (a value of the
              // subscription itself, not a connection-state or "started" notice) may be refreshed
              // again when that expires in turn.
              if (isRetry && subscribing && (value.result.type ?? "data") === "data") isRetry = false;
              observer.next(value);
            },
            complete: () => observer.complete(),
            error: (error) => disposed || onError(error, isRetry),
          });
        }

        function onError(error: TRPCClientError<TRouter>, isRetry: boolean): void {
          const code = jwtErrorCode(error);
          if (code !== undefined && ENDS_SESSION.has(code)) {
            // The first call to learn it ends the session; later ones find the credential changed.
            try {
              if (sentWith !== undefined && source.current() === sentWith) source.endSession?.(sentWith);
            } catch {
              // The app's store or logout handler threw; this call still fails below.
            }
            return fail(error, "login");
          }
          if (leftAlone || !source.shouldRefresh(error)) return fail(error);
          const instead = source.insteadOfRefresh?.(error, sentWith, isRetry);
          if (instead !== undefined) return fail(instead);
          if (isRetry && (sends >= MAX_SENDS || source.refreshAgain?.(error, madeFor) !== true)) return fail(error);
          const sent = sentWith;
          // Sent with a credential that has since been replaced: no refresh, judge the new one below.
          const ready: Promise<Settled | undefined> = source.current() === sent ? refreshOnce(sent, error) : Promise.resolve(inflight);
          ready.then(
            (settled) => {
              if (disposed) return;
              if (settled !== undefined && "failAs" in settled) return fail(error, settled.failAs);
              madeFor = settled?.made;
              if (!source.mayResend(sent, source.current())) return fail(error, "login");
              // A call cancelled (op.signal) while the refresh ran is not sent again.
              if (op.signal?.aborted) return fail(error);
              send(true);
            },
            () => fail(error, "login"),
          );
        }

        const waiting = leftAlone ? undefined : ready();
        const go = () => disposed || send(false);
        if (waiting === undefined) send(false);
        else void waiting.then(go, go);
        return () => {
          disposed = true;
          subscription?.unsubscribe();
        };
      });
}

/** A link's `refresh` option: the function that calls your refresh procedure, else `JwtConfigError` naming it. Module-internal. */
export function refreshCallOf<T extends (...args: never[]) => unknown>(value: T): T {
  if (typeof value !== "function") throw new JwtConfigError("refresh", "must be a function that calls your refresh procedure");
  return value;
}
