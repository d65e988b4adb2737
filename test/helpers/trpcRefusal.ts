import { TRPCError } from "@trpc/server";
import { expect } from "vitest";
import { JwtError } from "trpc-jwt";
import { rejectionOf } from "./rejection.js";

/** How a server-side call was refused: the TRPCError's code and message, and its JwtError's code. */
export async function trpcRefusal(call: Promise<unknown>) {
  const error = await rejectionOf(call);
  expect(error).toBeInstanceOf(TRPCError);
  const { code, message, cause } = error as TRPCError;
  expect(cause).toBeInstanceOf(JwtError);
  return { code, jwtCode: (cause as JwtError).code, message };
}
