import type { AnyTRPCRouter } from "@trpc/server";
import { JwtConfigError } from "../errors.js";
import { isRequiringGuard } from "./requireToken.js";

interface RouterInternals {
  readonly _def: {
    readonly procedures: Readonly<Record<string, { readonly _def?: { readonly middlewares?: readonly unknown[] } }>>;
    readonly lazy?: Readonly<Record<string, unknown>>;
  };
}

/**
 * Default-deny audit: the sorted dotted paths of the procedures that can run without a token,
 * i.e. that no `authedProcedure`, `refreshProcedure` or `requireToken` protects (public ones and
 * `optionalProcedure`s). Pin the list in a test, so a forgotten guard fails CI. A `lazy()` router
 * that is not loaded yet cannot be audited: that throws `JwtConfigError` naming its path (audit
 * the router it loads with its own call).
 *
 * @example
 * ```ts
 * expect(unguardedProcedures(appRouter)).toEqual(["health", "login", "posts.list"]);
 * ```
 */
export function unguardedProcedures(router: AnyTRPCRouter): string[] {
  const { procedures, lazy = {} } = (router as unknown as RouterInternals)._def;
  const unloaded = Object.keys(lazy);
  if (unloaded.length > 0) throw new JwtConfigError("router", `has lazy routers that are not loaded yet (${unloaded.sort().join(", ")}): audit the routers they load too`);
  return Object.keys(procedures)
    .filter((path) => !(procedures[path]?._def?.middlewares ?? []).some(isRequiringGuard))
    .sort();
}
