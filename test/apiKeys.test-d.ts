// Type tests for API keys: create's scope and claims typed by the manager's schemas, list's
// records, and requireToken({ apiKey: true }) typed like any other rule set.
import { initTRPC } from "@trpc/server";
import { describe, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { AuthManager, createJwtContext, createJwtProcedures, memoryStore, type TokenType } from "trpc-jwt";
import type { ApiKeyInfo, CreatedApiKey } from "trpc-jwt/types";

const typed = new AuthManager({
  issuer: "types",
  authType: "HS256",
  secret: "s".repeat(32),
  store: memoryStore(),
  claims: z.object({ team: z.string() }),
  scope: z.object({ deploy: z.boolean() }),
});
const plain = new AuthManager({ issuer: "types", authType: "HS256", secret: "s".repeat(32), store: memoryStore() });

describe("auth.apiKeys", () => {
  it("create takes scope and claims typed by the manager's schemas, and a name", () => {
    expectTypeOf(typed.apiKeys.create("ci", { name: "ci", scope: { deploy: true }, claims: { team: "platform" } })).toEqualTypeOf<Promise<CreatedApiKey>>();
    // @ts-expect-error the scope schema wants a boolean
    void typed.apiKeys.create("ci", { name: "ci", scope: { deploy: "yes" } });
    // @ts-expect-error the claims schema wants a string team
    void typed.apiKeys.create("ci", { name: "ci", claims: { team: 1 } });
    // @ts-expect-error a key needs a name
    void typed.apiKeys.create("ci", { scope: { deploy: true } });
    // Without schemas, any JSON.
    void plain.apiKeys.create("ci", { name: "ci", scope: "reports:read", claims: { team: 1 }, expiresIn: 3600 });
  });

  it("list gives records without the key; revoke takes an id", () => {
    expectTypeOf(plain.apiKeys.list("ci")).resolves.toEqualTypeOf<ApiKeyInfo[]>();
    expectTypeOf<Awaited<ReturnType<typeof typed.apiKeys.list>>[number]["scope"]>().toEqualTypeOf<{ deploy: boolean } | undefined>();
    expectTypeOf<Awaited<ReturnType<typeof typed.apiKeys.list>>[number]["claims"]>().toEqualTypeOf<{ team: string } | undefined>();
    expectTypeOf<Awaited<ReturnType<typeof plain.apiKeys.list>>[number]>().not.toHaveProperty("key");
    expectTypeOf(typed.apiKeys.revoke).parameters.toEqualTypeOf<[id: string]>();
  });
});

describe("requireToken({ apiKey: true })", () => {
  const createContext = createJwtContext(typed);
  const t = initTRPC.context<typeof createContext>().create();
  const { requireToken } = createJwtProcedures(t);

  it("types its rules from the schemas, and ctx.token tells a key by its type", () => {
    t.procedure.use(requireToken({ apiKey: true, scope: { deploy: true } })).query(({ ctx }) => {
      expectTypeOf(ctx.token.type).toEqualTypeOf<TokenType | "apikey">();
      expectTypeOf(ctx.token.claims.team).toEqualTypeOf<string>();
    });
    // @ts-expect-error the scope schema wants a boolean
    t.procedure.use(requireToken({ apiKey: true, scope: { deploy: "yes" } }));
    // @ts-expect-error apiKey is a boolean
    t.procedure.use(requireToken({ apiKey: "yes" }));
  });
});
