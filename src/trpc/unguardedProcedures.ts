import type { AnyTRPCRouter } from "@trpc/server";
import type { CompiledRules } from "../policy/compileRules.js";
import { JwtConfigError } from "../errors.js";
import { booleanOf, objectOf, optionNames } from "../options/validate.js";
import { guardRulesOf, isRequiringGuard } from "./requireToken.js";

interface RouterInternals {
  readonly _def: {
    readonly procedures: Readonly<Record<string, { readonly _def?: { readonly middlewares?: readonly unknown[] } }>>;
    readonly lazy?: Readonly<Record<string, unknown>>;
  };
}

const OPTION_NAMES = optionNames<UnguardedOptions>({ apiKey: true });

/** Options for {@link unguardedProcedures}. */
export interface UnguardedOptions {
  /**
   * List as well the procedures an API key can call: those whose every guard says
   * `requireToken({ apiKey: true })`. Default `false`.
   */
  readonly apiKey?: boolean | undefined;
}

/**
 * Default-deny audit: the sorted dotted paths of the procedures that can run without a token,
 * i.e. that no `authedProcedure`, `refreshProcedure` or `requireToken` protects (public ones and
 * `optionalProcedure`s). With `{ apiKey: true }`, also those a machine client's API key can call
 * (every guard of theirs accepts keys): pin both lists, so a forgotten guard, or a procedure
 * opened to keys by mistake, fails CI. A `lazy()` router that is not loaded yet cannot be
 * audited: that throws `JwtConfigError` naming its path (audit the router it loads with its own call).
 *
 * @example
 * ```ts
 * expect(unguardedProcedures(appRouter)).toEqual(["health", "login", "posts.list"]);
 * expect(unguardedProcedures(appRouter, { apiKey: true })).toEqual(["deploy", "health", "login", "posts.list"]);
 * ```
 */
export function unguardedProcedures(router: AnyTRPCRouter, options: UnguardedOptions = {}): string[] {
  objectOf(options, "options", { names: OPTION_NAMES, kind: "an unguardedProcedures option" });
  const apiKey = booleanOf(options.apiKey, false, "apiKey");
  return pathsWhere(router, (middlewares) => {
    const guards = middlewares.filter(isRequiringGuard);
    return guards.length === 0 || (apiKey && guards.every((guard) => guardRulesOf(guard)?.apiKey === true));
  });
}

/**
 * Audit for a context of several issuers (`createJwtContext([auth, idp])`): the sorted dotted
 * paths of the procedures whose `requireToken` rules read the token's claims (`input`, `claims`,
 * `scope`, `override`, `allow`, `maxAuthAge`, `acr`, `amr`) while none of their guards pins an `issuer`. Each
 * accepts any issuer's token that satisfies the rule, so a subject or claim an identity provider
 * lets its users choose can satisfy a rule written for your own tokens. Pin the list in a test
 * (ideally empty). A `lazy()` router not loaded yet throws as in `unguardedProcedures`.
 *
 * @example
 * ```ts
 * expect(unpinnedProcedures(appRouter)).toEqual([]);
 * ```
 */
export function unpinnedProcedures(router: AnyTRPCRouter): string[] {
  return pathsWhere(router, (middlewares) => {
    const rules = middlewares.map(guardRulesOf).filter((compiled) => compiled !== undefined);
    return rules.some(readsClaims) && !rules.some((compiled) => compiled.issuer !== undefined);
  });
}

function readsClaims(rules: CompiledRules): boolean {
  const { input, claims, scope, override, allow, maxAuthAge, acr, amr } = rules;
  return input.length > 0 || [claims, scope, override, allow, maxAuthAge, acr, amr].some((rule) => rule !== undefined);
}

// The sorted paths whose middlewares satisfy `test`; a router with unloaded lazy routers throws.
function pathsWhere(router: AnyTRPCRouter, test: (middlewares: readonly unknown[]) => boolean): string[] {
  const { procedures, lazy = {} } = (router as unknown as RouterInternals)._def;
  const unloaded = Object.keys(lazy);
  if (unloaded.length > 0)
    throw new JwtConfigError("router", `has lazy routers that are not loaded yet (${unloaded.sort().join(", ")}): audit the routers they load too`);
  return Object.keys(procedures)
    .filter((path) => test(procedures[path]?._def?.middlewares ?? []))
    .sort();
}
