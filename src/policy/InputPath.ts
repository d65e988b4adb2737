import type { TRPCUnsetMarker } from "@trpc/server";

type Leaf = string | number | boolean | bigint | symbol | null | undefined | Date | readonly unknown[] | ((...args: never[]) => unknown);
type Depth = readonly unknown[];

/**
 * Every dotted path into a procedure's parsed input: `"username"`, `"org.id"`. Arrays are not
 * entered. A procedure without `.input()` (tRPC's unset marker) has no paths at all, so any
 * path there is a compile error; `keyof` alone would accept `"length"` on the marker string.
 *
 * @example
 * ```ts
 * type P = InputPath<{ username: string; org: { id: number } }>; // "username" | "org" | "org.id"
 * ```
 */
export type InputPath<TInput> = 0 extends 1 & TInput ? string : PathsOf<TInput, []>;

type PathsOf<T, D extends Depth> = D["length"] extends 6
  ? never
  : T extends TRPCUnsetMarker | Leaf
    ? never
    : T extends object
      ? { [K in keyof T & string]-?: K | `${K}.${PathsOf<NonNullable<T[K]>, [...D, 1]>}` }[keyof T & string]
      : never;
