// Issuing and verifying: claim sets, reserved claims, lifetimes, codes, immutability.
import { describe, expect, it } from "vitest";
import { AuthManager, JwtConfigError, JwtError, JwtToken, RESERVED_CLAIMS } from "trpc-jwt";
import { ALGORITHMS, fakeClock, optionsFor } from "./helpers/keys.js";

const payloadOf = (signed: string) => JSON.parse(Buffer.from(signed.split(".")[1]!, "base64url").toString("utf8")) as Record<string, unknown>;

describe.each(ALGORITHMS)("tokens under %s", (alg) => {
  const clock = fakeClock();
  const auth = new AuthManager(optionsFor(alg, { clock: clock.now, authMaxAge: 60, refreshMaxAge: 600 }));

  it("issues auth tokens with iss, iat, exp, sub, type, jti, scope and extra claims, in that order", async () => {
    const token = await auth.authToken("alice", { admin: true }, { custom_claim: "x", n: 1 });
    const iat = Math.floor(clock.now() / 1000);
    expect(Object.keys(payloadOf(token.signed))).toEqual(["iss", "iat", "exp", "sub", "type", "jti", "scope", "custom_claim", "n"]);
    expect(payloadOf(token.signed)).toEqual(token.claims);
    expect(token).toMatchObject({ tokenType: "auth", sub: "alice", iss: "Flask_PyJWT", iat, exp: iat + 60, scope: { admin: true } });
    expect(token.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(token.isSigned()).toBe(true);
  });

  it("issues refresh tokens without scope or extra claims", async () => {
    const token = await auth.refreshToken("alice");
    expect(Object.keys(token.claims)).toEqual(["iss", "iat", "exp", "sub", "type", "jti"]);
    expect(token.exp - token.iat).toBe(600);
    expect(token.scope).toBeUndefined();
  });

  it("gives every token a distinct jti", async () => {
    const a = await auth.refreshToken("alice");
    const b = await auth.refreshToken("alice");
    expect(a.jti).not.toBe(b.jti);
    expect(a.signed).not.toBe(b.signed);
  });

  it("verifies its own tokens into equal, frozen JwtTokens", async () => {
    const issued = await auth.authToken("alice", "read write", { nested: { a: [1, { b: 2 }] } });
    const verified = await new AuthManager(optionsFor(alg, { clock: clock.now })).verifyToken(issued.signed, "auth");
    expect(verified).toBeInstanceOf(JwtToken);
    expect(verified.claims).toEqual(issued.claims);
    expect(Object.isFrozen(verified)).toBe(true);
    expect(Object.isFrozen(verified.claims)).toBe(true);
    expect(Object.isFrozen((verified.claims["nested"] as { a: unknown[] }).a[1])).toBe(true);
    expect(() => {
      (verified as { sub: string }).sub = "mallory";
    }).toThrow(TypeError);
  });

  it("accepts either type without a required type, and refuses the other type with one", async () => {
    const refresh = await auth.refreshToken("alice");
    await expect(auth.verifyToken(refresh.signed)).resolves.toMatchObject({ tokenType: "refresh" });
    await expect(auth.verifyToken(refresh.signed, "auth")).rejects.toMatchObject({ code: "TOKEN_WRONG_TYPE" });
    const access = await auth.authToken("alice");
    await expect(auth.verifyToken(access.signed, "refresh")).rejects.toMatchObject({ code: "TOKEN_WRONG_TYPE" });
  });

  it("expires a token when exp <= now, exactly", async () => {
    const fresh = new AuthManager(optionsFor(alg, { clock: clock.now, authMaxAge: 60, cacheSize: 0 }));
    const token = await fresh.authToken("alice");
    clock.advance(59);
    await expect(fresh.verifyToken(token.signed)).resolves.toBeInstanceOf(JwtToken);
    clock.advance(1);
    await expect(fresh.verifyToken(token.signed)).rejects.toMatchObject({ code: "TOKEN_EXPIRED", message: "Authentication token has expired" });
  });
});

describe("issuing refuses misuse", () => {
  const auth = new AuthManager(optionsFor("HS256"));
  for (const name of RESERVED_CLAIMS) {
    it(`refuses the reserved claim "${name}" as an extra claim`, async () => {
      await expect(auth.authToken("alice", undefined, { [name]: "x" })).rejects.toThrow(JwtConfigError);
      await expect(auth.authToken("alice", undefined, { [name]: "x" })).rejects.toMatchObject({ option: `claims.${name}` });
    });
  }
  it("refuses an empty or non-string subject", async () => {
    await expect(auth.authToken("")).rejects.toMatchObject({ option: "sub" });
    await expect(auth.refreshToken(7 as never)).rejects.toMatchObject({ option: "sub" });
  });
  it("refuses claims that would not survive JSON", async () => {
    await expect(auth.authToken("a", undefined, { when: new Date() as never })).rejects.toMatchObject({ option: "claims.when" });
    await expect(auth.authToken("a", undefined, { n: Number.NaN })).rejects.toMatchObject({ option: "claims.n" });
    await expect(auth.authToken("a", (() => 1) as never)).rejects.toMatchObject({ option: "scope" });
    await expect(auth.authToken("a", undefined, JSON.parse('{"__proto__": {"polluted": true}}'))).rejects.toMatchObject({ option: "claims.__proto__" });
  });
  it("refuses a type that is not auth or refresh", async () => {
    await expect(auth.verifyToken("x", "AUTH" as never)).rejects.toMatchObject({ option: "type" });
  });
  it("does not let a caller's later mutation change an issued token", async () => {
    const claims = { roles: ["user"] };
    const token = await auth.authToken("alice", undefined, claims);
    claims.roles.push("admin");
    expect(token.claims["roles"]).toEqual(["user"]);
  });
});

describe("verification codes", () => {
  const auth = new AuthManager(optionsFor("HS256"));
  it.each([
    ["empty string", ""],
    ["garbage", "garbage"],
    ["a.b.c", "a.b.c"],
    ["not a string", 42 as unknown as string],
  ])("%s is TOKEN_INVALID with the fixed message", async (_name, raw) => {
    const error = (await auth.verifyToken(raw).catch((e: unknown) => e)) as JwtError;
    expect(error).toBeInstanceOf(JwtError);
    expect(error.code).toBe("TOKEN_INVALID");
    expect(error.message).toBe("Authentication token is invalid");
  });
});
