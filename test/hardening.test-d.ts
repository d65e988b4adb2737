// Issue #17, item 8: input keys containing a dot are never part of an input path, so the compiler
// and the runtime (which splits paths at dots) always read a rule the same way.
import { initTRPC } from "@trpc/server";
import { describe, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { AuthManager, createJwtContext, createJwtProcedures } from "trpc-jwt";
import type { InputPath } from "trpc-jwt/types";

const auth = new AuthManager({ issuer: "types", authType: "HS256", secret: "s".repeat(32) });
const createContext = createJwtContext(auth);
const t = initTRPC.context<typeof createContext>().create();
const { authedProcedure, requireToken } = createJwtProcedures(t);

describe("dotted input keys", () => {
  it("InputPath leaves out keys containing a dot, at any depth", () => {
    expectTypeOf<InputPath<{ "user.name": string; id: string }>>().toEqualTypeOf<"id">();
    expectTypeOf<InputPath<{ org: { "a.b": number; c: boolean } }>>().toEqualTypeOf<"org.c">();
    expectTypeOf<InputPath<{ "user.name": string; user: { name: string } }>>().toEqualTypeOf<"user.name">();
  });

  it("a rule naming a dotted key is a compile error", () => {
    const dotted = authedProcedure.input(z.object({ "user.name": z.string() }));
    // @ts-expect-error the key "user.name" is not the path user -> name
    dotted.use(requireToken({ input: { sub: "user.name" } }));
    const nested = authedProcedure.input(z.object({ user: z.object({ name: z.string() }) }));
    nested.use(requireToken({ input: { sub: "user.name" } }));
  });
});
