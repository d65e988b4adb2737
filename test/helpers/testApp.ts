import { initTRPC } from "@trpc/server";
import superjson from "superjson";
import { z } from "zod";
import { AuthManager, createJwtContext, createJwtProcedures, jwtErrorFormatter } from "trpc-jwt";

/** Flask_PyJWT's test_scope / test_claims (tests/config.py), identical by design. */
export const TEST_CLAIMS = {
  claim1: "val",
  claim2: 42,
  claim3: true,
  claim4: ["litem1", "litem2", "litem3"],
  claim5: { iclaim1: "val", iclaim2: 42, iclaim3: true, iclaim4: ["litem1", "litem2", "litem3"] },
} as const;
export const TEST_SCOPE = TEST_CLAIMS;
export const TEST_OVERRIDE = { admin: true } as const;

// Any JSON value, written so that zod 3.25 and zod 4 both build it (npm run test:peers runs this
// app on each; z.json() is zod 4's alone).
type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
const json: z.ZodType<Json> = z.lazy(() => z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(json), z.record(z.string(), json)]));
const jsonRecord = z.record(z.string(), json);

/**
 * The router of DESIGN.md's example plus the routes of Flask_PyJWT's own test suite
 * (tests/conftest.py), with input binding in place of the route parameter.
 */
export function createTestApp(auth: AuthManager, options: { exposeCause?: boolean } = {}) {
  const createContext = createJwtContext(auth);
  const t = initTRPC.context<typeof createContext>().create({
    transformer: superjson,
    // exposeCause: the careless formatter a real app might have, serialising the cause and stack.
    errorFormatter: (opts) => {
      const shape = jwtErrorFormatter(opts);
      if (!options.exposeCause) return shape;
      const { cause } = opts.error;
      return {
        ...shape,
        stack: opts.error.stack,
        cause: cause && { ...JSON.parse(JSON.stringify(cause, Object.getOwnPropertyNames(cause))), string: String(cause) },
      };
    },
  });
  const { authedProcedure, refreshProcedure, requireToken } = createJwtProcedures(t);
  const describe = ({ ctx }: { ctx: { token: { sub: string; scope: unknown; claims: object; signed: string } } }) => ({
    token: ctx.token.signed,
    sub: ctx.token.sub,
    scope: ctx.token.scope,
    claims: ctx.token.claims,
  });

  const router = t.router({
    hello: t.procedure.query(() => "hello"),
    // Flask_PyJWT's fixture routes.
    token: t.procedure.input(z.object({ sub: z.string(), scope: json.optional(), claims: jsonRecord.optional() })).mutation(async ({ input }) => {
      const token = await auth.authToken(input.sub, input.scope ?? undefined, input.claims);
      return { token: token.signed, sub: token.sub, scope: token.scope, claims: token.claims };
    }),
    refreshToken: t.procedure.input(z.object({ sub: z.string() })).mutation(async ({ input }) => {
      const token = await auth.refreshToken(input.sub);
      return { token: token.signed, sub: token.sub, jti: token.jti };
    }),
    requireAuthHeader: authedProcedure.query(describe),
    requireRefreshHeader: refreshProcedure.query(({ ctx }) => ({ token: ctx.token.signed, sub: ctx.token.sub, jti: ctx.token.jti })),
    requireAuthCookie: t.procedure.use(requireToken({ cookie: "auth_token" })).query(describe),
    requireRefreshCookie: t.procedure
      .use(requireToken({ type: "refresh", cookie: "refresh_token" }))
      .query(({ ctx }) => ({ token: ctx.token.signed, sub: ctx.token.sub, jti: ctx.token.jti })),
    requireAuthHasScope: t.procedure.use(requireToken({ scope: TEST_SCOPE })).query(describe),
    requireAuthHasClaims: t.procedure.use(requireToken({ claims: TEST_CLAIMS })).query(describe),
    requireAuthHasClaimsInput: t.procedure
      .input(z.object({ sub: z.string() }))
      .use(requireToken({ input: { sub: "sub" } }))
      .query(({ ctx, input }) => ({ sub: ctx.token.sub, routeParam: input.sub })),
    requireAuthWithOverride: t.procedure.use(requireToken({ scope: TEST_SCOPE, override: TEST_OVERRIDE })).query(describe),

    // DESIGN.md's example procedures.
    protectedRoute: authedProcedure.query(() => "ok"),
    refresh: refreshProcedure.mutation(async ({ ctx }) => ({ authToken: (await auth.authToken(ctx.token.sub)).signed })),
    user: authedProcedure
      .input(z.object({ username: z.string() }))
      .use(requireToken({ input: { sub: "username" } }))
      .query(({ input }) => `Hello, ${input.username}!`),
    account: authedProcedure
      .input(z.object({ id: z.number() }))
      .use(requireToken({ input: { uid: "id" } }))
      .query(({ input }) => input.id),
    org: authedProcedure
      .input(z.object({ org: z.object({ id: z.string() }) }))
      .use(requireToken({ input: { orgs: "org.id" } }))
      .query(({ input }) => input.org.id),
    custom: authedProcedure.use(requireToken({ claims: { custom_claim: "Arbitrary Required Value" } })).query(() => "custom ok"),
    admin: authedProcedure.use(requireToken({ scope: { admin: true } })).query(() => "admin ok"),
    oauth: authedProcedure.use(requireToken({ scope: "read write" })).query(() => "oauth ok"),
    overridable: authedProcedure
      .input(z.object({ username: z.string() }))
      .use(requireToken({ input: { sub: "username" }, override: { admin: true } }))
      .query(({ input }) => `Hello, ${input.username}!`),
    info: authedProcedure.query(({ ctx }) => ({
      tokenType: ctx.token.tokenType,
      sub: ctx.token.sub,
      scope: ctx.token.scope,
      claims: ctx.token.claims,
      isSigned: ctx.token.isSigned(),
      signed: ctx.token.signed,
    })),
  });
  return { router, createContext, t };
}

export type TestRouter = ReturnType<typeof createTestApp>["router"];
