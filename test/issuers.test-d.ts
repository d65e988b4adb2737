// Types of resource-server mode: what RemoteIssuer's options accept, and createJwtContext taking
// one issuer or several.
import { createServer } from "node:http";
import { initTRPC } from "@trpc/server";
import { describe, expectTypeOf, it } from "vitest";
import { AuthManager, createJwtContext, createJwtProcedures, memoryStore, RemoteIssuer, type JwtToken } from "trpc-jwt";
import type { AuditEventName, BackchannelLogoutHandler, JwtIssuer } from "trpc-jwt/types";

declare const auth: AuthManager;
const base = { issuer: "https://idp.example.com/", jwksUri: "https://idp.example.com/jwks" };

describe("RemoteIssuer options", () => {
  it("requires an audience and takes asymmetric algorithms only", () => {
    new RemoteIssuer({ ...base, audience: "https://api.example.com", algorithms: ["RS256", "ES256", "PS256", "EdDSA"] });
    new RemoteIssuer({ ...base, audience: false, requiredClaims: { token_use: "access" } });
    // @ts-expect-error audience is required
    new RemoteIssuer({ ...base });
    // @ts-expect-error HMAC is never accepted from an identity provider
    new RemoteIssuer({ ...base, audience: "a", algorithms: ["HS256"] });
    // @ts-expect-error nor is none
    new RemoteIssuer({ ...base, audience: "a", algorithms: ["none"] });
    // @ts-expect-error audience is a string or false
    new RemoteIssuer({ ...base, audience: true });
    // Which tokens are bearer credentials: access tokens (default), only typ at+jwt, or ID tokens.
    for (const tokenProfile of ["access", "at+jwt", "id", undefined] as const) new RemoteIssuer({ ...base, audience: "a", tokenProfile });
    void RemoteIssuer.discover(base.issuer, { audience: "a", tokenProfile: "at+jwt" });
    // @ts-expect-error the profile is "access", "at+jwt" or "id" (typ values are lower case)
    new RemoteIssuer({ ...base, audience: "a", tokenProfile: "JWT" });
    expectTypeOf(RemoteIssuer.discover).returns.resolves.toEqualTypeOf<RemoteIssuer>();
    // A key set instead of jwksUri: a JWKS document or a trpc-jwt service's jwks(), never both.
    new RemoteIssuer({ issuer: base.issuer, audience: "a", keys: { keys: [{ kty: "RSA", kid: "k1", n: "...", e: "AQAB" }] } });
    new RemoteIssuer({ issuer: base.issuer, audience: "a", keys: auth.jwks() });
    // @ts-expect-error jwksUri or keys, not both
    new RemoteIssuer({ ...base, audience: "a", keys: auth.jwks() });
    // @ts-expect-error one of them is required
    new RemoteIssuer({ issuer: base.issuer, audience: "a" });
    // @ts-expect-error discover finds the keys itself
    void RemoteIssuer.discover(base.issuer, { audience: "a", keys: auth.jwks() });
    expectTypeOf(new RemoteIssuer({ ...base, audience: "a" }).jwksUri).toEqualTypeOf<string | undefined>();
    // @ts-expect-error discover's options carry no issuer or jwksUri of their own
    void RemoteIssuer.discover(base.issuer, { audience: "a", jwksUri: "https://evil.example.com/jwks" });
  });
});

describe("createJwtContext with issuers", () => {
  it("takes an AuthManager, a RemoteIssuer, or a list of them, and types ctx.token alike", () => {
    const idp = new RemoteIssuer({ ...base, audience: "https://api.example.com" });
    const createContext = createJwtContext([auth, idp]);
    createJwtContext(idp);
    createJwtContext(auth);
    const issuers: JwtIssuer[] = [auth, idp];
    createJwtContext(issuers);
    // @ts-expect-error a plain object is not an issuer
    createJwtContext([{ issuer: "x" }]);
    const t = initTRPC.context<typeof createContext>().create();
    const { authedProcedure, requireToken } = createJwtProcedures(t);
    // Rules pinned to an issuer: by its iss, or by the issuer itself.
    authedProcedure.use(requireToken({ issuer: auth, scope: "read" }));
    authedProcedure.use(requireToken({ issuer: idp }));
    authedProcedure.use(requireToken({ issuer: "https://idp.example.com/" }));
    // @ts-expect-error an issuer is a string or something with one
    authedProcedure.use(requireToken({ issuer: 42 }));
    authedProcedure.query(({ ctx }) => {
      expectTypeOf(ctx.token).toEqualTypeOf<JwtToken>();
    });
  });
});

describe("back-channel logout", () => {
  it("takes a store and returns a fetch handler with a Node adapter that Node's http and Express fit", () => {
    const idp = new RemoteIssuer({
      ...base,
      audience: "a",
      store: memoryStore(),
      maxTokenLifetime: 3600,
      audit: (event) => expectTypeOf(event.event).toEqualTypeOf<AuditEventName>(),
    });
    const logout = idp.backchannelLogout({ clientId: "my-app" });
    expectTypeOf(logout).toEqualTypeOf<BackchannelLogoutHandler>();
    expectTypeOf(logout).parameter(0).toEqualTypeOf<Request>();
    expectTypeOf(logout).returns.resolves.toEqualTypeOf<Response>();
    createServer((req, res) => void logout.node(req, res));
    idp.backchannelLogout({ clientId: "my-app", revoke: "subject" });
    // @ts-expect-error clientId is required
    idp.backchannelLogout({});
    // @ts-expect-error revoke is "session" or "subject"
    idp.backchannelLogout({ clientId: "my-app", revoke: "all" });
  });
});
