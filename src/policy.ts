// The "trpc-jwt/policy" entry: the matching requireToken applies, for an app's own checks (an
// `allow` predicate, a check outside tRPC). Pure functions over JSON values.
export { matchValue } from "./policy/matchClaims.js";
export { matchScope, type ScopeRequirement } from "./policy/matchScope.js";
