import { createTRPCClient, httpBatchLink, httpLink, TRPCClientError } from "@trpc/client";
import { initTRPC } from "@trpc/server";
import superjson from "superjson";
import { expect } from "vitest";
import { createJwtContext, createJwtProcedures, jwtErrorFormatter, type JwtContextConfig } from "trpc-jwt";
import type { JwtIssuer } from "trpc-jwt/types";

/** A small API guarded by tokens of `issuers` (identity providers, our own managers, or both). */
export function createRemoteApp(issuers: JwtIssuer | readonly JwtIssuer[], config: JwtContextConfig = {}) {
  const createContext = createJwtContext(issuers, config);
  const t = initTRPC.context<typeof createContext>().create({ transformer: superjson, errorFormatter: jwtErrorFormatter });
  const { authedProcedure, requireToken } = createJwtProcedures(t);
  const router = t.router({
    health: t.procedure.query(() => "ok"),
    whoami: authedProcedure.query(({ ctx }) => ({ iss: ctx.token.iss, sub: ctx.token.sub, tokenType: ctx.token.tokenType, scope: ctx.token.scope })),
    reports: authedProcedure.use(requireToken({ scope: "read" })).query(() => "reports"),
    admin: authedProcedure.use(requireToken({ scope: "admin" })).mutation(() => "admin"),
  });
  return { router, createContext };
}
export type RemoteAppRouter = ReturnType<typeof createRemoteApp>["router"];

/** A typed client of that API sending `token` as a bearer token. */
export function remoteClient(url: string, token: string, batch = false) {
  const options = { url, transformer: superjson, headers: { authorization: `Bearer ${token}` } };
  return createTRPCClient<RemoteAppRouter>({ links: [batch ? httpBatchLink(options) : httpLink(options)] });
}

/** The HTTP status, jwtCode and message a call failed with; the test fails if it succeeded. */
export async function failure(call: Promise<unknown>): Promise<{ status: number | undefined; jwtCode: unknown; message: string }> {
  const error = await call.then(
    () => expect.fail("the call succeeded"),
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(TRPCClientError);
  const { data, message } = error as TRPCClientError<RemoteAppRouter>;
  return { status: data?.httpStatus, jwtCode: (data as { jwtCode?: unknown } | undefined)?.jwtCode, message };
}
