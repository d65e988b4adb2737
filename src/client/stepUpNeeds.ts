import { stepUpChallenge, type StepUpChallenge } from "../wire/StepUpChallenge.js";

/**
 * The step-up challenges of calls refused together, as few re-authentications as one login can
 * meet: `merged` is the first challenge merged with every other that one login can meet as well
 * (the `acr` values and the `amr` values both accept, the shortest `maxAge`), `meets` says whether
 * a login made for one challenge satisfies another. Module-internal.
 *
 * @example
 * ```ts
 * stepUpNeeds.merged([{ acrValues: "urn:mfa urn:hwk" }, { acrValues: "urn:hwk", maxAge: 300 }, { acrValues: "urn:pwd" }]);
 * // { acrValues: "urn:hwk", maxAge: 300 }: the last needs a login of its own
 * ```
 */
export const stepUpNeeds = {
  /** The first challenge merged with every later one it can be merged with, in turn. */
  merged(challenges: readonly StepUpChallenge[]): StepUpChallenge {
    return challenges.slice(1).reduce((challenge, other) => merge(challenge, other) ?? challenge, challenges[0] ?? {});
  },

  /** Whether any login the server accepts for `asked` also satisfies `need`. */
  meets(asked: StepUpChallenge, need: StepUpChallenge): boolean {
    const within = (mine: readonly string[] | undefined, theirs: readonly string[] | undefined) =>
      theirs === undefined || (mine !== undefined && mine.every((value) => theirs.includes(value)));
    return (
      within(acrOf(asked), acrOf(need)) &&
      within(asked.amrValues, need.amrValues) &&
      (need.maxAge === undefined || (asked.maxAge !== undefined && asked.maxAge <= need.maxAge))
    );
  },
};

// One challenge that any login meeting it meets both; undefined when no login can (no acr, or no
// amr, value both accept).
function merge(a: StepUpChallenge, b: StepUpChallenge): StepUpChallenge | undefined {
  const acr = both(acrOf(a), acrOf(b));
  const amr = both(a.amrValues, b.amrValues);
  if (acr === null || amr === null) return undefined;
  const maxAge = a.maxAge === undefined ? b.maxAge : b.maxAge === undefined ? a.maxAge : Math.min(a.maxAge, b.maxAge);
  return stepUpChallenge(acr?.join(" "), amr, maxAge);
}

// The values both lists accept, in the first's order (the server's order of preference); either
// list alone when the other sets none; null when they share none.
function both(a: readonly string[] | undefined, b: readonly string[] | undefined): readonly string[] | undefined | null {
  if (a === undefined || b === undefined) return a ?? b;
  const shared = a.filter((value) => b.includes(value));
  return shared.length === 0 ? null : shared;
}

function acrOf(challenge: StepUpChallenge): readonly string[] | undefined {
  return challenge.acrValues?.split(" ").filter((value) => value !== "");
}
