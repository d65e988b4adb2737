import type { TRPCClientError, TRPCLink } from "@trpc/client";
import type { AnyTRPCRouter } from "@trpc/server";
import { JwtConfigError } from "../errors.js";
import { objectOf, optionNames } from "../options/validate.js";
import { stepUpChallenge, type StepUpChallenge } from "../wire/StepUpChallenge.js";
import { jwtErrorCode } from "./jwtErrorCode.js";
import { refreshCoordinator } from "./refreshCoordinator.js";
import { stepUpNeeds } from "./stepUpNeeds.js";

/** Options for {@link stepUpLink}. */
export interface StepUpLinkOptions {
  /**
   * Re-authenticates the user at the level the refusal names (`acrValues`, `amrValues`, `maxAge`
   * from the error data: the server needs `jwtErrorFormatter`) and puts the new token where the
   * transport reads it (your token store, or the session cookies). Resolve when that is done;
   * reject, or resolve `false`, when the user cancelled or it failed: the waiting calls then fail
   * with their own `STEP_UP_REQUIRED` error.
   */
  readonly stepUp: (challenge: StepUpChallenge) => Promise<unknown>;
}

const OPTION_NAMES = optionNames<StepUpLinkOptions>({ stepUp: true });

/**
 * A link that answers step-up refusals (401 `STEP_UP_REQUIRED`, from `requireToken({ acr, amr })`):
 * a query or mutation refused for step-up waits while your `stepUp` runs, once for every call
 * refused meanwhile, and is then sent once more; exactly those calls, never the others of their
 * batch. Calls refused together with different challenges get one step-up whose challenge one
 * login can meet for all of them (the `acr` and `amr` values every one accepts, the shortest
 * `maxAge`); a call whose need it could not include is refused again, and gets one step-up of
 * its own. A call refused again after a step-up asked for its need fails. A call that was sent
 * before a step-up completed and is refused after it is sent again without another one. When
 * `stepUp` rejects or resolves `false`, the waiting calls fail with their original error
 * (`jwtErrorAction` says `"step-up"`); nothing ends the session. Subscriptions pass through.
 * Every other error passes through untouched; aborting a call's signal cancels its retry. Put it
 * beside `refreshLink` or `cookieRefreshLink` (either order): they never refresh on this code.
 *
 * @example
 * ```ts
 * const client = createTRPCClient<AppRouter>({
 *   links: [
 *     stepUpLink({ stepUp: async ({ acrValues, maxAge }) => store.setTokens(await reauthenticate({ acrValues, maxAge })) }),
 *     refreshLink({ store, refresh: () => refreshClient.refresh.mutate(), onLogout }),
 *     httpBatchLink({ url, headers: bearerHeaders(store.getAuthToken) }),
 *   ],
 * });
 * ```
 */
export function stepUpLink<TRouter extends AnyTRPCRouter>(options: StepUpLinkOptions): TRPCLink<TRouter> {
  objectOf(options, "options", { names: OPTION_NAMES, kind: "a stepUpLink option" });
  const { stepUp } = options;
  if (typeof stepUp !== "function") throw new JwtConfigError("stepUp", "must be a function that re-authenticates the user");
  // The coordinator compares credentials; here the credential is the number of step-ups done: a
  // call sent before the latest one completed is sent again without another.
  let completed = 0;
  // The challenges of the calls refused while the step-up gathers them.
  let refused: StepUpChallenge[] | undefined;
  return refreshCoordinator<TRouter>({
    current: () => String(completed),
    async refresh(_seen, error) {
      refused = [challengeOf(error)];
      // The other refusals of the same response (a batch) arrive in this task: one step-up meets
      // every need one login can; a call whose need it cannot meet is refused again after it,
      // and gets a step-up of its own (refreshAgain).
      await new Promise((resolve) => setTimeout(resolve, 0));
      const challenge = stepUpNeeds.merged(refused);
      refused = undefined;
      if ((await stepUp(challenge)) === false) throw new Error("step-up cancelled");
      completed++;
      return challenge;
    },
    joined: (error) => void refused?.push(challengeOf(error)),
    refreshAgain: (error, asked) => asked !== undefined && !stepUpNeeds.meets(asked as StepUpChallenge, challengeOf(error)),
    shouldRefresh: (error) => jwtErrorCode(error) === "STEP_UP_REQUIRED",
    mayResend: () => true,
    subscriptions: "pass",
  });
}

// The challenge in the refusal's data, each part only when it has the type the server sends.
function challengeOf(error: TRPCClientError<AnyTRPCRouter> | undefined): StepUpChallenge {
  const { acrValues, amrValues, maxAge } = (error?.data ?? {}) as { acrValues?: unknown; amrValues?: unknown; maxAge?: unknown };
  const amr = Array.isArray(amrValues) && amrValues.every((value) => typeof value === "string") ? (amrValues as string[]) : undefined;
  return stepUpChallenge(typeof acrValues === "string" ? acrValues : undefined, amr, typeof maxAge === "number" ? maxAge : undefined);
}
