// Type tests for the "trpc-jwt/testing" entry.
import { initTRPC } from "@trpc/server";
import { describe, expectTypeOf, it } from "vitest";
import { AuthManager, createJwtContext, createJwtProcedures, type JwtContext } from "trpc-jwt";
import { testContext, type TestCaller } from "trpc-jwt/testing";

const auth = new AuthManager({ issuer: "types", authType: "HS256", secret: "s".repeat(32) });
const createContext = createJwtContext(auth);
const t = initTRPC.context<typeof createContext>().create();
const { authedProcedure } = createJwtProcedures(t);
const router = t.router({ me: authedProcedure.query(({ ctx }) => ctx.token.sub) });

describe("testContext", () => {
  it("gives the context createJwtContext builds, accepted by createCaller", async () => {
    expectTypeOf(testContext(auth, { sub: "alice" })).toEqualTypeOf<Promise<JwtContext>>();
    const caller = router.createCaller(await testContext(auth, { sub: "alice", scope: { admin: true }, claims: { org: "o1" } }));
    expectTypeOf(caller.me()).toEqualTypeOf<Promise<string>>();
  });

  it("takes a subject (with scope, claims, type) or a signed token, nothing else", () => {
    void testContext(auth, { token: "a.b.c" });
    void testContext(auth, { sub: "alice", type: "refresh" });
    void testContext(auth, null);
    // @ts-expect-error a caller needs a subject or a token
    void testContext(auth, { scope: "admin" });
    // @ts-expect-error no such token type
    void testContext(auth, { sub: "alice", type: "access" });
    // @ts-expect-error claims are a JSON object
    void testContext(auth, { sub: "alice", claims: "org" });
    expectTypeOf<{ sub: string }>().toExtend<TestCaller>();
  });
});
