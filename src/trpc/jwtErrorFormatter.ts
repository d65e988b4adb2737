import type { TRPCError } from "@trpc/server";
import { JwtError, type JwtErrorCode } from "../errors.js";

/**
 * An `errorFormatter` that adds `data.jwtCode` to errors caused by a refused token, so clients
 * read the code directly (`jwtErrorCode(error)` on the client also works without it).
 *
 * @example
 * ```ts
 * const t = initTRPC.context<typeof createContext>().create({ errorFormatter: jwtErrorFormatter });
 * // composing with your own:
 * errorFormatter: (opts) => ({ ...jwtErrorFormatter(opts), extra: 1 }),
 * ```
 */
export function jwtErrorFormatter<TShape extends { data: object }>(opts: { shape: TShape; error: TRPCError }): TShape & { data: { jwtCode?: JwtErrorCode } } {
  const { shape, error } = opts;
  if (!(error.cause instanceof JwtError)) return shape;
  return { ...shape, data: { ...shape.data, jwtCode: error.cause.code } };
}
