import { TRPCClientError } from "@trpc/client";
import type { AnyTRPCRouter } from "@trpc/server";
import { expect } from "vitest";

/** What `promise` rejected with; the test fails if it resolved instead. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  const outcome = await promise.then(
    (value: unknown) => ({ resolved: true as const, value }),
    (reason: unknown) => ({ resolved: false as const, reason }),
  );
  if (outcome.resolved) expect.fail(`expected a rejection, got ${JSON.stringify(outcome.value)}`);
  return outcome.reason;
}

/** The `TRPCClientError` a client call failed with; the test fails if it succeeded or failed otherwise. */
export async function clientErrorOf<TRouter extends AnyTRPCRouter>(call: Promise<unknown>): Promise<TRPCClientError<TRouter>> {
  const error = await rejectionOf(call);
  expect(error).toBeInstanceOf(TRPCClientError);
  return error as TRPCClientError<TRouter>;
}
