// Issuing and verifying: claim sets, reserved claims, lifetimes, codes, immutability.
import { describe, expect, it } from "vitest";
import { AuthManager, JwtConfigError, JwtError, JwtToken, memoryStore, RESERVED_CLAIMS } from "trpc-jwt";
import { forgeWith, goodClaims } from "./helpers/forge.js";
import { ALGORITHMS, fakeClock, optionsFor, secretFor } from "./helpers/keys.js";
import { rejectionOf } from "./helpers/rejection.js";

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

describe("the payload is the claims' JSON", () => {
  // issueToken writes the payload text from its parts instead of JSON.stringify of the claims:
  // byte for byte the same text, whatever the names and values need escaped or reordered.
  const text = (signed: string) => Buffer.from(signed.split(".")[1]!, "base64url").toString("utf8");
  const odd = ['quote " and \\ backslash', "tab\tnewline\n", "lone \ud800 surrogate", "emoji \u{1F600} é", "\u2028\u2029", "</script>"];
  const auth = new AuthManager(optionsFor("HS256", { issuer: odd[0]!, audience: odd[3]!, store: memoryStore() }));
  const scopes = [undefined, null, "read write", ["a", odd[2]!], { [odd[1]!]: { deep: [1, -0, 2.5, 1e-7, 2 ** 53 - 1, false, null] } }, 0, true];
  const claimSets = [
    undefined,
    {},
    { "0": "index", b: 1, "10": 2 },
    { "4294967294": 1, "4294967295": 2, a: odd[4] },
    { "01": 1, "-1": 2, "1.5": 3 },
    { [odd[5]!]: odd },
  ];

  it("for auth tokens, any scope and claims", async () => {
    for (const [i, sub] of odd.entries())
      for (const scope of scopes)
        for (const claims of claimSets) {
          const token = await auth.authToken(sub, scope as never, claims as never);
          expect(text(token.signed), `sub ${i}`).toBe(JSON.stringify(token.claims));
        }
  });

  it("for both tokens of a login and of a rotation", async () => {
    for (const scope of scopes)
      for (const claims of claimSets) {
        const pair = await auth.login(odd[2]!, scope as never, claims as never, claims === undefined ? undefined : { acr: "urn:mfa", amr: ["pwd", "otp"] });
        const rotated = await auth.rotate(pair.refreshToken);
        for (const token of [pair.authToken, pair.refreshToken, rotated.authToken, rotated.refreshToken])
          expect(text(token.signed)).toBe(JSON.stringify(token.claims));
        expect(rotated.refreshToken.claims["rot"]).toBe(1);
      }
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

describe("audience (issue 9)", () => {
  const clock = fakeClock();
  const withAud = new AuthManager(optionsFor("ES256", { audience: "https://api.example.com", clock: clock.now }));
  const noAud = new AuthManager(optionsFor("ES256", { clock: clock.now }));
  const forged = (aud: unknown) => forgeWith("ES256", goodClaims({ aud }, Math.floor(clock.now() / 1000)));

  it("issues aud and requires it", async () => {
    const token = await withAud.authToken("alice");
    expect(payloadOf(token.signed)).toMatchObject({ aud: "https://api.example.com" });
    expect(Object.keys(payloadOf(token.signed)).slice(0, 2)).toEqual(["iss", "aud"]);
    await expect(withAud.verifyToken(token.signed)).resolves.toMatchObject({ sub: "alice" });
    expect(await rejectionOf(noAud.verifyToken(token.signed))).toMatchObject({ code: "TOKEN_INVALID" });
    expect(await rejectionOf(withAud.verifyToken((await noAud.authToken("alice")).signed))).toMatchObject({ code: "TOKEN_INVALID" });
  });
  it("accepts an array aud that contains ours, refuses one that does not", async () => {
    await expect(withAud.verifyToken(await forged(["https://other", "https://api.example.com"]))).resolves.toMatchObject({ sub: "mallory-sub-7f3a" });
    for (const aud of [["https://other"], [], "https://api.example.com/", ["https://api.example.com", 7], 7, null]) {
      expect(await rejectionOf(withAud.verifyToken(await forged(aud))), JSON.stringify(aud)).toMatchObject({ code: "TOKEN_INVALID" });
    }
  });
  it("aud and nbf can never be set as extra claims", async () => {
    await expect(withAud.authToken("a", undefined, { aud: "x" })).rejects.toMatchObject({ option: "claims.aud" });
    await expect(withAud.authToken("a", undefined, { nbf: 1 })).rejects.toMatchObject({ option: "claims.nbf" });
  });
});

describe("clock tolerance, nbf and a future iat (issue 9, issue 16.2)", () => {
  const clock = fakeClock();
  const now = () => Math.floor(clock.now() / 1000);
  const manager = (clockTolerance?: number) =>
    new AuthManager(optionsFor("EdDSA", { cacheSize: 0, clock: clock.now, ...(clockTolerance === undefined ? {} : { clockTolerance }) }));
  const codeOf = async (auth: AuthManager, claims: Record<string, unknown>) => {
    const outcome = await auth.verifyToken(await forgeWith("EdDSA", goodClaims(claims, now()))).then(
      () => "ok",
      (e: { code: string }) => e.code,
    );
    return outcome;
  };

  it("exp and nbf get exactly clockTolerance (default 0)", async () => {
    const strict = manager();
    const lenient = manager(30);
    expect(await codeOf(strict, { exp: now() })).toBe("TOKEN_EXPIRED");
    expect(await codeOf(strict, { nbf: now() + 1 })).toBe("TOKEN_INVALID");
    expect(await codeOf(strict, { nbf: now() })).toBe("ok");
    expect(await codeOf(lenient, { exp: now() - 29 })).toBe("ok");
    expect(await codeOf(lenient, { exp: now() - 30 })).toBe("TOKEN_EXPIRED");
    expect(await codeOf(lenient, { nbf: now() + 30 })).toBe("ok");
    expect(await codeOf(lenient, { nbf: now() + 31 })).toBe("TOKEN_INVALID");
    for (const nbf of ["1", -1, 1.5, 253402300800, null]) expect(await codeOf(lenient, { nbf }), String(nbf)).toBe("TOKEN_INVALID");
  });
  it("a future iat is refused only beyond clockTolerance + 60 s", async () => {
    expect(await codeOf(manager(), { iat: now() + 60 })).toBe("ok");
    expect(await codeOf(manager(), { iat: now() + 61 })).toBe("TOKEN_INVALID");
    expect(await codeOf(manager(300), { iat: now() + 360 })).toBe("ok");
    expect(await codeOf(manager(300), { iat: now() + 361 })).toBe("TOKEN_INVALID");
  });
  it("a cached token is served exactly as long as a fresh verification would accept it", async () => {
    const auth = new AuthManager(optionsFor("HS256", { clock: clock.now, clockTolerance: 5, authMaxAge: 10 }));
    const { signed } = await auth.authToken("alice");
    for (let i = 0; i < 3; i++) await auth.verifyToken(signed); // cached from the second sight on
    clock.advance(14);
    await expect(auth.verifyToken(signed)).resolves.toMatchObject({ sub: "alice" });
    expect(auth.isUnexpired(await auth.verifyToken(signed))).toBe(true);
    clock.advance(1);
    expect(await rejectionOf(auth.verifyToken(signed))).toMatchObject({ code: "TOKEN_EXPIRED" });
  });

  it("two managers whose clocks differ by 0.1 to 2 s accept every fresh token of each other", async () => {
    const start = Date.UTC(2030, 0, 1, 0, 0, 0, 0);
    for (const skewMs of [100, 250, 500, 999, 1000, 1500, 2000]) {
      // Issue at every 50 ms offset within a second: some land just past a second boundary.
      for (let offset = 0; offset < 1000; offset += 50) {
        const issuerTime = start + offset;
        const issuer = new AuthManager(optionsFor("HS256", { clock: () => issuerTime }));
        const behind = new AuthManager(optionsFor("HS256", { clock: () => issuerTime - skewMs, cacheSize: 0 }));
        const ahead = new AuthManager(optionsFor("HS256", { clock: () => issuerTime + skewMs, cacheSize: 0 }));
        const { signed } = await issuer.authToken("alice");
        await expect(behind.verifyToken(signed), `${skewMs} ms behind, +${offset}`).resolves.toMatchObject({ sub: "alice" });
        await expect(ahead.verifyToken(signed), `${skewMs} ms ahead, +${offset}`).resolves.toMatchObject({ sub: "alice" });
      }
    }
  });
});

describe("fromEnv reads JWT_KEYID, JWT_AUDIENCE and JWT_CLOCKTOLERANCE", () => {
  it("into the manager", async () => {
    const auth = AuthManager.fromEnv({
      JWT_ISSUER: "Flask_PyJWT",
      JWT_AUTHTYPE: "ES384",
      JWT_SECRET: secretFor("ES384"),
      JWT_KEYID: "k-7",
      JWT_AUDIENCE: "aud-1",
      JWT_CLOCKTOLERANCE: "30",
    });
    expect([auth.keyId, auth.audience]).toEqual(["k-7", "aud-1"]);
    const { signed } = await auth.authToken("alice");
    expect(payloadOf(signed)).toMatchObject({ aud: "aud-1" });
    expect(JSON.parse(Buffer.from(signed.split(".")[0]!, "base64url").toString())).toMatchObject({ kid: "k-7" });
  });
  it("a bad tolerance names the variable", () => {
    expect(() => AuthManager.fromEnv({ JWT_ISSUER: "i", JWT_AUTHTYPE: "HS256", JWT_SECRET: secretFor("HS256"), JWT_CLOCKTOLERANCE: "1.5" })).toThrow(
      expect.objectContaining({ option: "JWT_CLOCKTOLERANCE" }),
    );
  });
});
