// The strict gate before any signature check, fail-closed error handling, and claims treated as hostile data.
import { beforeEach, describe, expect, it, vi } from "vitest";

// Signature checks, counted on the native path and the jose fallback alike.
const signatures = vi.hoisted(() => ({ calls: 0, failWith: undefined as unknown }));
vi.mock("jose", async (importOriginal) => (await import("./helpers/countingSignatureChecks.js")).countingJose(importOriginal, signatures));
vi.mock("../src/keys/nativeVerify.js", async (importOriginal) =>
  (await import("./helpers/countingSignatureChecks.js")).countingNativeVerify(importOriginal, signatures),
);

const { AuthManager, JwtError } = await import("trpc-jwt");
const { forgeHmac, goodClaims } = await import("./helpers/forge.js");
const { optionsFor } = await import("./helpers/keys.js");
const { rejectionOf } = await import("./helpers/rejection.js");

const auth = new AuthManager(optionsFor("HS256", { cacheSize: 0 }));
beforeEach(() => {
  signatures.calls = 0;
  signatures.failWith = undefined;
});

async function codeOf(promise: Promise<unknown>) {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(JwtError);
  return (error as InstanceType<typeof JwtError>).code;
}

describe("the strict parser runs before any signature check", () => {
  const valid = () => forgeHmac({ header: { typ: "JWT" }, payload: goodClaims() });
  const shapes: [string, (token: string) => string][] = [
    ["empty signature (alg none style)", (t) => t.slice(0, t.lastIndexOf(".") + 1)],
    ["JWE-like five segments", (t) => `${t}.AAAA.BBBB`],
    ["four segments", (t) => `${t}.AAAA`],
    ["two segments", (t) => t.slice(0, t.lastIndexOf("."))],
    ["padding", (t) => `${t}==`],
    ["standard base64 characters", (t) => t.replace(/.$/, "+")],
    ["whitespace inside", (t) => t.replace(".", ". ")],
    ["a segment of length 4n+1", (t) => `${t}AA`], // HMAC-SHA256 signatures are 43 characters
    ["over the length cap", (t) => `${t.split(".")[0]}.${"A".repeat(9000)}.${t.split(".")[2]}`],
    ["1 MiB", (t) => `${t.split(".")[0]}.${"A".repeat(1024 * 1024)}.${t.split(".")[2]}`],
  ];

  it("accepts the well-formed token (so the spy is wired)", async () => {
    await expect(auth.verifyToken(await valid())).resolves.toMatchObject({ sub: "mallory-sub-7f3a" });
    expect(signatures.calls).toBe(1);
  });

  it.each(shapes)("refuses %s without checking a signature", async (_name, mangle) => {
    expect(await codeOf(auth.verifyToken(mangle(await valid())))).toBe("TOKEN_INVALID");
    expect(signatures.calls).toBe(0);
  });

  it("non-canonical base64url that decodes to the same bytes never reaches a signature check", async () => {
    const token = await valid();
    const signature = token.split(".")[2] as string; // 43 characters: 4n+3, two unused bits
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const last = alphabet.indexOf(signature.at(-1) as string);
    const twin = `${token.slice(0, -1)}${alphabet[last ^ 1]}`;
    expect(Buffer.from(twin.split(".")[2] as string, "base64url")).toEqual(Buffer.from(signature, "base64url"));
    expect(await codeOf(auth.verifyToken(twin))).toBe("TOKEN_INVALID");
    expect(signatures.calls).toBe(0);
  });
});

describe("fail closed", () => {
  it.each([
    ["a jose error", Object.assign(new Error('unexpected "iss" claim value'), { code: "ERR_JWT_CLAIM_VALIDATION_FAILED" })],
    ["a node TypeError", new TypeError("Cannot read properties of undefined (reading 'secret-material')")],
    ["a thrown string", "raw failure with mallory-sub-7f3a"],
  ])("maps %s from inside verification to TOKEN_INVALID with the fixed message", async (_name, failure) => {
    signatures.failWith = failure;
    const error = (await auth.verifyToken(await forgeHmac({ header: { typ: "JWT" }, payload: goodClaims() })).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(JwtError);
    expect(error.message).toBe("Authentication token is invalid");
    expect(error.cause).toBeUndefined();
    expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toMatch(/secret-material|mallory|iss/);
  });

  it("reports TOKEN_EXPIRED only from our own claim check, after the signature verified", async () => {
    const nowSeconds = Math.floor(Date.now() / 1000);
    const expired = { ...goodClaims(), iat: nowSeconds - 20, exp: nowSeconds - 10 };
    // Whatever the signature check fails with, even an error that calls itself an expiry, is TOKEN_INVALID.
    signatures.failWith = Object.assign(new Error("expired"), { code: "ERR_JWT_EXPIRED" });
    expect(await codeOf(auth.verifyToken(await forgeHmac({ header: { typ: "JWT" }, payload: expired })))).toBe("TOKEN_INVALID");
    signatures.failWith = undefined;
    const signed = await forgeHmac({ header: { typ: "JWT" }, payload: expired });
    expect(await codeOf(auth.verifyToken(signed))).toBe("TOKEN_EXPIRED");
    const [head, body, signature] = signed.split(".") as [string, string, string];
    const flipped = `${head}.${body}.${signature.startsWith("A") ? "B" : "A"}${signature.slice(1)}`;
    expect(await codeOf(auth.verifyToken(flipped))).toBe("TOKEN_INVALID");
  });

  it("never follows a jku/x5u URL", async () => {
    const fetchSpy = vi.spyOn(globalThis, "fetch");
    for (const param of ["jku", "x5u"]) {
      const token = await forgeHmac({ header: { typ: "JWT", [param]: "http://127.0.0.1:9/keys.json" }, payload: goodClaims() });
      expect(await codeOf(auth.verifyToken(token))).toBe("TOKEN_INVALID");
    }
    expect(fetchSpy).not.toHaveBeenCalled();
    fetchSpy.mockRestore();
  });

  it("refuses a signed header with a parameter it does not accept every time, though its signature checks", async () => {
    // The signature step keeps a header whose signature verified; the header test must still refuse it.
    for (let i = 0; i < 3; i++) {
      const token = await forgeHmac({ header: { typ: "JWT", x5c: ["MIIB"] }, payload: goodClaims({ jti: `x5c-${i}` }) });
      expect(await codeOf(auth.verifyToken(token))).toBe("TOKEN_INVALID");
      expect(await codeOf(auth.verifyToken(token))).toBe("TOKEN_INVALID");
    }
  });
});

describe("claims are hostile data", () => {
  it("a __proto__ key anywhere is refused and pollutes nothing", async () => {
    for (const payload of [
      JSON.stringify(goodClaims()).replace(/^\{/, '{"__proto__":{"polluted":true},'),
      JSON.stringify(goodClaims({ nested: { ok: 1 } })).replace('{"ok":1}', '{"__proto__":{"polluted":true}}'),
    ]) {
      expect(await codeOf(auth.verifyToken(await forgeHmac({ header: { typ: "JWT" }, payload })))).toBe("TOKEN_INVALID");
    }
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });

  it("verified claims are frozen prototype-free copies; prototype-named keys are just data", async () => {
    const token = await auth.verifyToken(
      await forgeHmac({ header: { typ: "JWT" }, payload: goodClaims({ constructor: "x", toString: "y", list: [{ a: 1 }] }) }),
    );
    expect(Object.getPrototypeOf(token.claims)).toBeNull();
    expect(Object.isFrozen(token.claims)).toBe(true);
    expect(Object.isFrozen((token.claims["list"] as object[])[0])).toBe(true);
    expect(token.claims["constructor"]).toBe("x");
    expect(() => {
      (token.claims as Record<string, unknown>)["admin"] = true;
    }).toThrow(TypeError);
  });

  it.each([
    ["iat fractional", { iat: Math.floor(Date.now() / 1000) - 10.5 }],
    ["iat negative", { iat: -1 }],
    ["nbf not a number", { nbf: "0" }],
    ["scope on a refresh token", { type: "refresh", scope: "admin" }],
    ["empty jti", { jti: "" }],
  ])("refuses %s", async (_name, overrides) => {
    expect(await codeOf(auth.verifyToken(await forgeHmac({ header: { typ: "JWT" }, payload: goodClaims(overrides) })))).toBe("TOKEN_INVALID");
  });
});
