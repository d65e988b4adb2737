// Flask_PyJWT's own test suite (reference section 6, tests 2-16), ported scenario by scenario and
// run under all four algorithms through the typed client against a server on 127.0.0.1.
import { TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthManager } from "trpc-jwt";
import { clientFor, startServer, bearer } from "./helpers/httpServer.js";
import { ALGORITHMS, optionsFor } from "./helpers/keys.js";
import { rejectionOf } from "./helpers/rejection.js";
import { createTestApp, TEST_CLAIMS, TEST_SCOPE, type TestRouter } from "./helpers/testApp.js";

async function refusal(call: Promise<unknown>) {
  const error = await rejectionOf(call);
  expect(error).toBeInstanceOf(TRPCClientError);
  const { data } = error as TRPCClientError<TestRouter>;
  return { status: data?.httpStatus, code: data?.code, jwtCode: (data as { jwtCode?: string } | undefined)?.jwtCode };
}

describe.each(ALGORITHMS)("Flask_PyJWT scenarios under %s", (alg) => {
  const auth = new AuthManager(optionsFor(alg));
  let server: Awaited<ReturnType<typeof startServer>>;
  const anon = () => clientFor(server.url);
  const withToken = (token: string) => clientFor(server.url, bearer(token));

  beforeAll(async () => {
    const { router, createContext } = createTestApp(auth);
    server = await startServer({ router, createContext });
  });
  afterAll(() => server.close());

  it("2. creates a valid auth token", async () => {
    const res = await anon().token.mutate({ sub: "test", scope: { admin: true }, claims: { custom_claim: "SomeValue" } });
    const token = await auth.verifyToken(res.token);
    expect(token.sub).toBe("test");
    expect(res.sub).toBe("test");
    expect(token.claims["custom_claim"]).toBe("SomeValue");
    expect(token.tokenType).toBe("auth");
  });

  it("3. creates a valid refresh token", async () => {
    const res = await anon().refreshToken.mutate({ sub: "test" });
    const token = await auth.verifyToken(res.token);
    expect(token.tokenType).toBe("refresh");
    expect(res.jti).toEqual(expect.any(String));
  });

  it("4. reads an auth token from the Authorization header", async () => {
    const { signed } = await auth.authToken("test");
    expect((await withToken(signed).requireAuthHeader.query()).sub).toBe("test");
  });

  it("5. reads a refresh token from the Authorization header", async () => {
    const { signed } = await auth.refreshToken("test");
    const res = await withToken(signed).requireRefreshHeader.query();
    expect(res.sub).toBe("test");
    expect(res.jti).toEqual(expect.any(String));
  });

  it("6. reads an auth token from a cookie", async () => {
    const { signed } = await auth.authToken("test");
    const res = await clientFor(server.url, { cookie: `auth_token=${signed}` }).requireAuthCookie.query();
    expect(res.sub).toBe("test");
  });

  it("7. reads a refresh token from a cookie", async () => {
    const { signed } = await auth.refreshToken("test");
    const res = await clientFor(server.url, { cookie: `other=1; refresh_token=${signed}` }).requireRefreshCookie.query();
    expect(res.sub).toBe("test");
    expect(res.jti).toEqual(expect.any(String));
  });

  it("8. accepts a present required scope", async () => {
    const { signed } = await auth.authToken("test", TEST_SCOPE);
    const res = await withToken(signed).requireAuthHasScope.query();
    expect(res.sub).toBe("test");
    expect(res.scope).toEqual(TEST_SCOPE);
  });

  it("9. rejects a missing required scope with 403", async () => {
    const { signed } = await auth.authToken("test");
    expect(await refusal(withToken(signed).requireAuthHasScope.query())).toEqual({ status: 403, code: "FORBIDDEN", jwtCode: "SCOPE_MISMATCH" });
  });

  it("10. accepts present required claims", async () => {
    const { signed } = await auth.authToken("test", undefined, TEST_CLAIMS);
    const res = await withToken(signed).requireAuthHasClaims.query();
    expect(res.sub).toBe("test");
    for (const [key, value] of Object.entries(TEST_CLAIMS)) expect(res.claims).toHaveProperty([key], value);
  });

  it("11. rejects missing required claims with 403", async () => {
    const { signed } = await auth.authToken("test");
    expect(await refusal(withToken(signed).requireAuthHasClaims.query())).toEqual({ status: 403, code: "FORBIDDEN", jwtCode: "CLAIMS_MISMATCH" });
  });

  it("12. accepts a claim bound to the input", async () => {
    const { signed } = await auth.authToken("test");
    expect(await withToken(signed).requireAuthHasClaimsInput.query({ sub: "test" })).toEqual({ sub: "test", routeParam: "test" });
  });

  it("13. rejects a claim that does not match the input with 403", async () => {
    const { signed } = await auth.authToken("not_test");
    expect(await refusal(withToken(signed).requireAuthHasClaimsInput.query({ sub: "test" }))).toEqual({
      status: 403,
      code: "FORBIDDEN",
      jwtCode: "CLAIMS_MISMATCH",
    });
  });

  it("14. accepts the required scope when the override is missing", async () => {
    const { signed } = await auth.authToken("test", TEST_SCOPE);
    const res = await withToken(signed).requireAuthWithOverride.query();
    expect(res.sub).toBe("test");
    expect(res.scope).toEqual(TEST_SCOPE);
  });

  it("15. accepts a missing scope when the override is present", async () => {
    const { signed } = await auth.authToken("test", undefined, { admin: true });
    const res = await withToken(signed).requireAuthWithOverride.query();
    expect(res.sub).toBe("test");
    expect(res).toHaveProperty("scope", undefined);
    expect(res.claims).toHaveProperty("admin", true);
  });

  it("16. rejects a missing scope and a missing override with 403", async () => {
    const { signed } = await auth.authToken("test", { admin: false });
    expect(await refusal(withToken(signed).requireAuthWithOverride.query())).toEqual({ status: 403, code: "FORBIDDEN", jwtCode: "SCOPE_MISMATCH" });
  });
});
