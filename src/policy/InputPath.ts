import type { TRPCUnsetMarker } from "@trpc/server";

type Scalar = string | number | boolean;
type Leaf = Scalar | bigint | symbol | null | undefined | Date | readonly unknown[] | ((...args: never[]) => unknown);
type Depth = readonly unknown[];

/**
 * Every dotted path to a string, number or boolean in a procedure's parsed input: `"username"`,
 * `"org.id"`; only such values can equal a claim. Arrays are not entered. A key containing a dot
 * is never part of a path: `"user.name"` always means `user` -> `name`, as at run time (where an
 * input holding both readings binds neither). A procedure without `.input()` (tRPC's unset
 * marker) has no paths at all, so any path there is a compile error; `keyof` alone would accept
 * `"length"` on the marker string.
 *
 * @example
 * ```ts
 * type P = InputPath<{ username: string; org: { id: number } }>; // "username" | "org.id"
 * ```
 */
export type InputPath<TInput> = 0 extends 1 & TInput ? string : FittingPath<TInput, never>;

/**
 * The paths of {@link InputPath} whose value type `TClaim` is assignable to (all of them for
 * `never`): where a claim of that type can be bound. Module-internal.
 */
export type FittingPath<TInput, TClaim> = PathsOf<TInput, TClaim, []>;

type PathsOf<T, TClaim, D extends Depth> = D["length"] extends 6
  ? never
  : T extends TRPCUnsetMarker | Leaf
    ? never
    : T extends object
      ? {
          [K in keyof T & string]-?: K extends `${string}.${string}`
            ? never
            : | (NonNullable<T[K]> extends Scalar ? ([TClaim] extends [NonNullable<T[K]>] ? K : never) : never)
              | `${K}.${PathsOf<NonNullable<T[K]>, TClaim, [...D, 1]>}`;
        }[keyof T & string]
      : never;
