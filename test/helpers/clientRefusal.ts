import { TRPCClientError } from "@trpc/client";
import { JWT_ERRORS, type JwtErrorCode } from "trpc-jwt";

/**
 * The error a client link sees when the server refused a call with `jwtCode`: what
 * jwtErrorFormatter puts on the wire (the table's tRPC code, HTTP status and fixed message), for
 * scripted links that stand in for a server.
 */
export function clientRefusal(jwtCode: JwtErrorCode): TRPCClientError<never> {
  const { trpcCode, httpStatus, message } = JWT_ERRORS[jwtCode];
  return TRPCClientError.from({ error: { code: -32001, message, data: { code: trpcCode, httpStatus, jwtCode } } } as never);
}
