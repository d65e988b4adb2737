// Type tests for cookie sessions: the cookies option, server-side contexts from { headers },
// setTokens' argument, and the client helpers.
import { initTRPC } from "@trpc/server";
import type { CreateHTTPContextOptions } from "@trpc/server/adapters/standalone";
import type { FetchCreateContextFnOptions } from "@trpc/server/adapters/fetch";
import { describe, expectTypeOf, it } from "vitest";
import { AuthManager, createJwtContext, type JwtContext, type TokenPair } from "trpc-jwt";
import type { JwtCookieOptions } from "trpc-jwt/types";
import { cookieRefreshLink, csrfHeader } from "trpc-jwt/client";

const auth = new AuthManager({ issuer: "types", authType: "HS256", secret: "s".repeat(32) });
const createContext = createJwtContext(auth, {
  cookies: { secure: false, sameSite: "strict", names: { csrf: "xsrf" }, allowedOrigins: ["https://app.example.com"] },
});

describe("cookie sessions", () => {
  it("builds the context from any adapter's options or from { headers } alone", () => {
    expectTypeOf(createContext({ headers: new Headers() })).toEqualTypeOf<JwtContext>();
    expectTypeOf(createContext).toBeCallableWith({} as FetchCreateContextFnOptions);
    expectTypeOf(createContext).toBeCallableWith({} as CreateHTTPContextOptions);
    // @ts-expect-error headers must be a Headers-like object
    createContext({ headers: { cookie: "auth=x" } });
    const t = initTRPC.context<typeof createContext>().create();
    void t;
  });

  it("types the options: SameSite is one of three, names are strings", () => {
    // @ts-expect-error no such SameSite value
    createJwtContext(auth, { cookies: { sameSite: "loose" } });
    // @ts-expect-error names are strings
    createJwtContext(auth, { cookies: { names: { auth: 1 } } });
    expectTypeOf<{ secure: true }>().toExtend<JwtCookieOptions>();
  });

  it("setTokens takes the pair login and rotate return; clearTokens takes nothing", () => {
    const { jwt } = createContext({ headers: new Headers() });
    expectTypeOf(jwt.setTokens).parameter(0).toEqualTypeOf<TokenPair>();
    expectTypeOf(jwt.setTokens).returns.toBeVoid();
    expectTypeOf(jwt.clearTokens).parameters.toEqualTypeOf<[]>();
    // @ts-expect-error signed strings are not tokens
    jwt.setTokens({ authToken: "a.b.c", refreshToken: "d.e.f" });
  });

  it("client: csrfHeader gives a headers function; cookieRefreshLink needs only refresh", () => {
    expectTypeOf(csrfHeader()).toEqualTypeOf<() => Record<string, string>>();
    expectTypeOf(csrfHeader).toBeCallableWith("xsrf");
    void cookieRefreshLink({ refresh: async () => undefined });
    // @ts-expect-error refresh is required
    void cookieRefreshLink({ onLogout: () => undefined });
  });
});
