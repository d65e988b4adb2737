// Step-up (issue #30, RFC 9470): requireToken({ acr, amr, maxAuthAge }) over real HTTP with the
// typed client, for our own tokens (auth.login(..., { acr, amr })) and an identity provider's:
// 401 STEP_UP_REQUIRED with acrValues / maxAge in the error data and the WWW-Authenticate
// challenge on the response; maxAuthAge alone stays TOKEN_NOT_FRESH and carries maxAge too.
import { createTRPCClient, httpLink } from "@trpc/client";
import { initTRPC } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthManager, createJwtContext, createJwtProcedures, JwtConfigError, jwtErrorFormatter, memoryStore, RemoteIssuer } from "trpc-jwt";
import { jwtErrorAction } from "trpc-jwt/client";
import { compileRules } from "../src/policy/compileRules.js";
import { forgeWith } from "./helpers/forge.js";
import { startServer } from "./helpers/httpServer.js";
import { clientErrorOf } from "./helpers/rejection.js";
import { fakeClock, HS256_SECRET, optionsFor } from "./helpers/keys.js";

const clock = fakeClock(Date.now());
const auth = new AuthManager({ issuer: "my-api", authType: "HS256", secret: HS256_SECRET, store: memoryStore(), clock: clock.now });
const IDP = "https://idp.example.com/";
const API = "https://api.example.com";
const idp = new RemoteIssuer({ issuer: IDP, audience: API, algorithms: ["RS256"], keys: new AuthManager(optionsFor("RS256")).jwks(), clock: clock.now });

const createContext = createJwtContext([auth, idp]);
const t = initTRPC.context<typeof createContext>().create({ transformer: superjson, errorFormatter: jwtErrorFormatter });
const { authedProcedure, requireToken } = createJwtProcedures(t);
const router = t.router({
  payout: authedProcedure.use(requireToken({ acr: ["urn:mfa"] })).mutation(({ ctx }) => ctx.token.claims["acr"]),
  otp: authedProcedure.use(requireToken({ amr: ["otp", "hwk"] })).query(() => "otp"),
  recent: authedProcedure.use(requireToken({ maxAuthAge: 300 })).query(() => "recent"),
  strong: authedProcedure.use(requireToken({ acr: ["urn:mfa", "urn:hw"], maxAuthAge: 300, override: { root: true } })).mutation(() => "strong"),
  // The step-up rule as the procedure's only guard: its check is the one that reads the store.
  mfaOnly: t.procedure.use(requireToken({ acr: ["urn:mfa"] })).mutation(() => "mfa"),
  recentOnly: t.procedure.use(requireToken({ maxAuthAge: 300 })).query(() => "recent"),
});
type Router = typeof router;

let server: Awaited<ReturnType<typeof startServer>>;
beforeAll(async () => {
  server = await startServer({ router, createContext });
});
afterAll(() => server.close());

/** A typed client sending `token`, recording each response's WWW-Authenticate header. */
function clientWith(token: string) {
  const challenges: (string | null)[] = [];
  const recording = async (input: URL | RequestInfo, init?: unknown) => {
    const response = await fetch(input, init as RequestInit);
    challenges.push(response.headers.get("www-authenticate"));
    return response;
  };
  const client = createTRPCClient<Router>({
    links: [httpLink({ url: server.url, transformer: superjson, headers: { authorization: `Bearer ${token}` }, fetch: recording })],
  });
  return { client, challenges };
}

const refusalOf = (call: Promise<unknown>) => clientErrorOf<Router>(call);

const nowSeconds = () => Math.floor(clock.now() / 1000);
const idpToken = (claims: Record<string, unknown>) =>
  forgeWith("RS256", { iss: IDP, aud: API, sub: "user-1", iat: nowSeconds(), exp: nowSeconds() + 600, auth_time: nowSeconds(), ...claims }, { typ: "at+jwt" });

describe("requireToken({ acr }) over HTTP", () => {
  it("refuses a password login at a procedure requiring urn:mfa: 401 STEP_UP_REQUIRED, acrValues, and the RFC 9470 challenge", async () => {
    const { authToken } = await auth.login("alice", undefined, undefined, { acr: "urn:pwd", amr: ["pwd"] });
    const { client, challenges } = clientWith(authToken.signed);
    const error = await refusalOf(client.payout.mutate());
    expect(error.data).toMatchObject({ httpStatus: 401, code: "UNAUTHORIZED", jwtCode: "STEP_UP_REQUIRED", acrValues: "urn:mfa" });
    expect(error.data).not.toHaveProperty("maxAge");
    expect(error.message).toBe("A stronger or more recent login is required");
    expect(jwtErrorAction(error)).toBe("step-up");
    expect(challenges).toEqual([
      'Bearer error="insufficient_user_authentication", error_description="A stronger or more recent login is required", acr_values="urn:mfa"',
    ]);
  });

  it("lets an mfa login through, and its rotations keep acr and amr", async () => {
    const pair = await auth.login("alice", undefined, undefined, { acr: "urn:mfa", amr: ["pwd", "otp"] });
    expect(pair.authToken.claims).toMatchObject({ acr: "urn:mfa", amr: ["pwd", "otp"] });
    expect(pair.refreshToken.claims).toMatchObject({ acr: "urn:mfa", amr: ["pwd", "otp"] });
    const { client, challenges } = clientWith(pair.authToken.signed);
    await expect(client.payout.mutate()).resolves.toBe("urn:mfa");
    await expect(client.otp.query()).resolves.toBe("otp");
    expect(challenges).toEqual([null, null]);
    const rotated = await auth.rotate(pair.refreshToken);
    expect(rotated.authToken.claims).toMatchObject({ acr: "urn:mfa", amr: ["pwd", "otp"], auth_time: pair.authToken.claims["auth_time"] });
    await expect(clientWith(rotated.authToken.signed).client.payout.mutate()).resolves.toBe("urn:mfa");
  });

  it("amr: any listed method in the token's amr fits; none, or no amr, is STEP_UP_REQUIRED with amrValues", async () => {
    await expect(clientWith((await auth.login("bob", undefined, undefined, { amr: ["hwk"] })).authToken.signed).client.otp.query()).resolves.toBe("otp");
    for (const options of [{ amr: ["pwd"] }, {}]) {
      const { authToken } = await auth.login("bob", undefined, undefined, options);
      const { client, challenges } = clientWith(authToken.signed);
      expect((await refusalOf(client.otp.query())).data).toMatchObject({ jwtCode: "STEP_UP_REQUIRED", amrValues: ["otp", "hwk"] });
      expect(challenges[0]).toBe('Bearer error="insufficient_user_authentication", error_description="A stronger or more recent login is required"');
    }
  });
});

describe("maxAuthAge", () => {
  it("alone stays TOKEN_NOT_FRESH, now with maxAge in the data and max_age in the challenge", async () => {
    const { authToken } = await auth.login("carol");
    const { client, challenges } = clientWith(authToken.signed);
    await expect(client.recent.query()).resolves.toBe("recent");
    clock.advance(301);
    const error = await refusalOf(client.recent.query());
    expect(error.data).toMatchObject({ httpStatus: 401, jwtCode: "TOKEN_NOT_FRESH", maxAge: 300 });
    expect(error.data).not.toHaveProperty("acrValues");
    expect(jwtErrorAction(error)).toBe("login");
    expect(challenges[1]).toBe('Bearer error="insufficient_user_authentication", error_description="A stronger or more recent login is required", max_age=300');
  });

  it("beside acr, an old login is STEP_UP_REQUIRED with both acrValues and maxAge; override skips neither", async () => {
    const { authToken } = await auth.login("dave", undefined, { root: true }, { acr: "urn:hw" });
    const { client, challenges } = clientWith(authToken.signed);
    await expect(client.strong.mutate()).resolves.toBe("strong");
    clock.advance(301);
    expect((await refusalOf(client.strong.mutate())).data).toMatchObject({ jwtCode: "STEP_UP_REQUIRED", acrValues: "urn:mfa urn:hw", maxAge: 300 });
    expect(challenges[1]).toContain('acr_values="urn:mfa urn:hw", max_age=300');
    const weakRoot = await auth.login("dave", undefined, { root: true }, { acr: "urn:pwd" });
    expect((await refusalOf(clientWith(weakRoot.authToken.signed).client.strong.mutate())).data).toMatchObject({ jwtCode: "STEP_UP_REQUIRED" });
  });
});

describe("a token whose login is over", () => {
  it("revoked or expired is TOKEN_REVOKED or TOKEN_EXPIRED, never STEP_UP_REQUIRED or TOKEN_NOT_FRESH: the client logs out, not steps up", async () => {
    const revoked = await auth.login("erin", undefined, { root: true }, { acr: "urn:pwd" });
    await auth.revoke(revoked.authToken);
    const { client } = clientWith(revoked.authToken.signed);
    for (const call of [() => client.mfaOnly.mutate(), () => client.payout.mutate(), () => client.otp.query(), () => client.strong.mutate()]) {
      const error = await refusalOf(call());
      expect(error.data).toMatchObject({ httpStatus: 401, jwtCode: "TOKEN_REVOKED" });
      expect(jwtErrorAction(error)).toBe("login");
    }
    clock.advance(301);
    expect((await refusalOf(client.recentOnly.query())).data).toMatchObject({ jwtCode: "TOKEN_REVOKED" });
    const expired = await auth.login("erin", undefined, undefined, { acr: "urn:pwd" });
    clock.advance(auth.authMaxAge + 1);
    const { client: stale } = clientWith(expired.authToken.signed);
    expect((await refusalOf(stale.mfaOnly.mutate())).data).toMatchObject({ jwtCode: "TOKEN_EXPIRED" });
    expect((await refusalOf(stale.recentOnly.query())).data).toMatchObject({ jwtCode: "TOKEN_EXPIRED" });
  });
});

describe("the fetch adapter", () => {
  it("carries the challenge on its response too (resHeaders)", async () => {
    const { authToken } = await auth.login("erin", undefined, undefined, { acr: "urn:pwd" });
    const headers = { authorization: `Bearer ${authToken.signed}`, "content-type": "application/json" };
    const req = new Request("http://localhost/trpc/payout", { method: "POST", headers });
    const response = await fetchRequestHandler({ endpoint: "/trpc", router, createContext, req });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe(
      'Bearer error="insufficient_user_authentication", error_description="A stronger or more recent login is required", acr_values="urn:mfa"',
    );
  });
});

describe("an identity provider's access tokens", () => {
  it("are held to the same acr, amr and maxAuthAge rules", async () => {
    const pwd = clientWith(await idpToken({ acr: "urn:pwd", amr: ["pwd"] }));
    expect((await refusalOf(pwd.client.payout.mutate())).data).toMatchObject({ jwtCode: "STEP_UP_REQUIRED", acrValues: "urn:mfa" });
    expect(pwd.challenges[0]).toContain('acr_values="urn:mfa"');
    const mfa = clientWith(await idpToken({ acr: "urn:mfa", amr: ["otp"] }));
    await expect(mfa.client.payout.mutate()).resolves.toBe("urn:mfa");
    await expect(mfa.client.otp.query()).resolves.toBe("otp");
    const old = clientWith(await idpToken({ auth_time: nowSeconds() - 301 }));
    expect((await refusalOf(old.client.recent.query())).data).toMatchObject({ jwtCode: "TOKEN_NOT_FRESH", maxAge: 300 });
    // Not a string: no acr value fits it.
    const odd = clientWith(await idpToken({ acr: ["urn:mfa"] }));
    expect((await refusalOf(odd.client.payout.mutate())).data).toMatchObject({ jwtCode: "STEP_UP_REQUIRED" });
  });
});

describe("misuse fails at construction", () => {
  it("requireToken's acr and amr must be non-empty lists of challenge-safe values", () => {
    for (const acr of [[], "urn:mfa", ["urn mfa"], ['urn:"mfa'], [""], [1]]) {
      expect(() => compileRules({ acr } as never)).toThrow(
        new JwtConfigError("requireToken.acr", "must be a non-empty list of acr values (printable, no spaces or quotes)"),
      );
    }
    expect(() => compileRules({ amr: [] })).toThrow(JwtConfigError);
    expect(compileRules({ acr: ["a", "a", "b"] }).acr).toEqual(["a", "b"]);
  });

  it("login's acr and amr are checked, and are reserved claims", async () => {
    await expect(auth.login("alice", undefined, undefined, { acr: "" })).rejects.toThrow(new JwtConfigError("acr", "must be a non-empty string"));
    await expect(auth.login("alice", undefined, undefined, { amr: "otp" } as never)).rejects.toThrow(JwtConfigError);
    await expect(auth.login("alice", undefined, undefined, { acrValues: "x" } as never)).rejects.toThrow(/acrValues: is not a login option/);
    await expect(auth.authToken("alice", undefined, { acr: "urn:mfa" })).rejects.toThrow(
      new JwtConfigError("claims.acr", "is a reserved claim and cannot be set"),
    );
    await expect(auth.login("alice", undefined, { amr: ["otp"] })).rejects.toThrow(new JwtConfigError("claims.amr", "is a reserved claim and cannot be set"));
  });
});
