// Issue #18: where node:crypto is missing, `await auth.ready()` surfaces bad keys and enables
// jwks(), which then publishes exactly what a Node manager publishes for the same keys. Both rings
// are built here on Node: node:crypto is hidden only while an "edge" manager is constructed.
import { generateKeyPairSync } from "node:crypto";
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { describe, expect, it, vi } from "vitest";
import { AuthManager, JwtConfigError, type AuthManagerOptions, type AuthType } from "trpc-jwt";
import { PAIRS } from "./helpers/keys.js";
import { rejectionOf } from "./helpers/rejection.js";

const runtime = vi.hoisted(() => ({ hideNodeCrypto: false }));
vi.mock("../src/keys/nodeCrypto.js", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../src/keys/nodeCrypto.js")>();
  return {
    ...actual,
    get nodeCrypto() {
      return runtime.hideNodeCrypto ? undefined : actual.nodeCrypto;
    },
    nativeCrypto: () => (runtime.hideNodeCrypto ? undefined : actual.nativeCrypto()),
  };
});

/** A manager built as on a runtime without node:crypto (keys through Web Crypto). */
function onEdge(options: AuthManagerOptions): AuthManager {
  runtime.hideNodeCrypto = true;
  try {
    return new AuthManager(options);
  } finally {
    runtime.hideNodeCrypto = false;
  }
}

const pem = (type: "rsa" | "ec", options: { modulusLength?: number; namedCurve?: string }) =>
  generateKeyPairSync(type as "rsa", {
    modulusLength: 2048,
    ...options,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
const weakRsa = pem("rsa", { modulusLength: 1024 });
const otherP256 = pem("ec", { namedCurve: "P-256" });
const PAIR_OF: Record<Exclude<AuthType, `HS${string}`>, { privateKey: string; publicKey: string }> = {
  RS256: PAIRS.rsa,
  RS384: PAIRS.rsa,
  RS512: PAIRS.rsa,
  PS256: PAIRS.rsa,
  PS384: PAIRS.rsa,
  PS512: PAIRS.rsa,
  ES256: PAIRS["P-256"],
  ES384: PAIRS["P-384"],
  ES512: PAIRS["P-521"],
  EdDSA: PAIRS.Ed25519,
};
const optionOf = (error: unknown) => (error instanceof JwtConfigError ? error.option : String(error));
const thrownBy = (run: () => unknown): unknown => {
  try {
    run();
  } catch (error) {
    return error;
  }
  return expect.fail("did not throw");
};

/** The reasons of the rejections left unhandled while `run` ran, and until they would be reported. */
async function unhandledRejectionsOf(run: () => Promise<void>): Promise<unknown[]> {
  const unhandled: unknown[] = [];
  const record = (reason: unknown) => unhandled.push(reason);
  process.on("unhandledRejection", record);
  try {
    await run();
    // Unhandled rejections are reported after the microtasks of a macrotask have run.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off("unhandledRejection", record);
  }
  return unhandled;
}

describe("jwks() and ready() without node:crypto", () => {
  it.each(["RS256", "PS256", "ES256", "ES384", "ES512", "EdDSA"] as const)(
    "%s: refused until ready(), then exactly the Node manager's set",
    async (authType) => {
      const options = { issuer: "edge", authType, secret: PAIR_OF[authType].privateKey, keyId: "k1" };
      const edge = onEdge(options);
      const refusal = thrownBy(() => edge.jwks());
      expect(refusal).toBeInstanceOf(JwtConfigError);
      expect(optionOf(refusal)).toBe("jwks");
      expect(String(refusal)).toMatch(/await auth\.ready\(\)/);

      await edge.ready();
      const published = edge.jwks();
      const node = new AuthManager(options);
      await node.ready();
      expect(published).toEqual(node.jwks());
      expect(JSON.stringify(published)).toBe(JSON.stringify(node.jwks()));
      // Without keyId, Node's kid is the thumbprint; every other member is the same.
      const { kid: _thumbprint, ...nodeMembers } = new AuthManager({ ...options, keyId: undefined }).jwks().keys[0]!;
      const { kid, ...edgeMembers } = published.keys[0]!;
      expect(kid).toBe("k1");
      expect(edgeMembers).toEqual(nodeMembers);
      expect(edgeMembers).toMatchObject({ alg: authType, use: "sig" });
      expect(JSON.stringify(published)).not.toMatch(/"(d|p|q|dp|dq|qi|ext|key_ops)"/);
      expect(Object.isFrozen(published) && Object.isFrozen(published.keys) && Object.isFrozen(published.keys[0])).toBe(true);
      expect(edge.jwks()).toBe(published);
    },
  );

  it("publishes the previous keys after the current one, as on Node; each verifies its tokens with jose's createLocalJWKSet", async () => {
    const base = { issuer: "edge", authType: "ES256" } as const;
    const before = onEdge({ ...base, secret: otherP256.privateKey, keyId: "old" });
    const options = { ...base, secret: PAIRS["P-256"].privateKey, keyId: "new", previousKeys: [{ keyId: "old", publicKey: otherP256.publicKey }] };
    const edge = onEdge(options);
    await edge.ready();
    const published = edge.jwks();
    expect(published.keys.map((key) => key.kid)).toEqual(["new", "old"]);
    expect(published).toEqual(new AuthManager(options).jwks());

    const keySet = createLocalJWKSet({ keys: [...published.keys] });
    for (const [signer, kid] of [
      [edge, "new"],
      [before, "old"],
    ] as const) {
      const { signed } = await signer.authToken("alice", { admin: true });
      expect(decodeProtectedHeader(signed).kid).toBe(kid);
      const { payload } = await jwtVerify(signed, keySet, { issuer: "edge", algorithms: ["ES256"] });
      expect(payload).toMatchObject({ sub: "alice", scope: { admin: true } });
    }
  });

  it.each([
    { what: "a 1024-bit RSA key", keys: { authType: "RS256", secret: weakRsa.privateKey }, option: "secret" },
    { what: "a P-384 key under ES256", keys: { authType: "ES256", secret: PAIRS["P-384"].privateKey }, option: "secret" },
    {
      what: "a publicKey that is not the half of secret",
      keys: { authType: "ES256", secret: PAIRS["P-256"].privateKey, publicKey: otherP256.publicKey },
      option: "publicKey",
    },
    {
      what: "a 1024-bit previous key",
      keys: { authType: "RS256", secret: PAIRS.rsa.privateKey, previousKeys: [{ keyId: "old", publicKey: weakRsa.publicKey }] },
      option: "previousKeys[0].publicKey",
    },
  ] as const)("ready() rejects for $what with JwtConfigError naming $option, the same on every call", async ({ keys, option }) => {
    const edge = onEdge({ issuer: "edge", keyId: "k1", ...keys } as AuthManagerOptions);
    const error = await rejectionOf(edge.ready());
    expect(error).toBeInstanceOf(JwtConfigError);
    expect(optionOf(error)).toBe(option);
    expect(edge.ready()).toBe(edge.ready());
    expect(await rejectionOf(edge.ready())).toBe(error);
    // The same error as the first signing of the current key; jwks() says it too.
    if (option !== "previousKeys[0].publicKey") expect(optionOf(await rejectionOf(edge.authToken("alice")))).toBe(option);
    expect(optionOf(thrownBy(() => edge.jwks()))).toBe(option);
    // On Node the constructor refuses the same keys at once.
    expect(optionOf(thrownBy(() => new AuthManager({ issuer: "edge", keyId: "k1", ...keys } as AuthManagerOptions)))).toBe(option);
  });

  it("a bad key nobody awaits ready() for leaves no unhandled rejection", async () => {
    const unhandled = await unhandledRejectionsOf(async () => {
      const edge = onEdge({ issuer: "edge", authType: "RS256", secret: weakRsa.privateKey });
      expect(optionOf(await rejectionOf(edge.authToken("alice")))).toBe("secret");
    });
    expect(unhandled).toEqual([]);
  });

  it("key imports already started leave no unhandled rejection when the constructor throws, or when only one is awaited", async () => {
    const garbage = (label: string) => `-----BEGIN ${label}-----\nAAAA\n-----END ${label}-----`;
    const unhandled = await unhandledRejectionsOf(async () => {
      // The secret's import has started (and will fail) when previousKeys[0] is refused.
      const refusal = thrownBy(() =>
        onEdge({ issuer: "edge", authType: "RS256", secret: weakRsa.privateKey, previousKeys: [{ publicKey: PAIRS.rsa.publicKey }] }),
      );
      expect(optionOf(refusal)).toBe("previousKeys[0].keyId");
      // Neither key imports: the secret's failure is the one reported; the publicKey's is never awaited.
      const edge = onEdge({ issuer: "edge", authType: "RS256", secret: garbage("PRIVATE KEY"), publicKey: garbage("PUBLIC KEY") });
      expect(optionOf(await rejectionOf(edge.ready()))).toBe("secret");
    });
    expect(unhandled).toEqual([]);
  });

  it("a Web Crypto failure of its own (not one of our checks) is reported as a JwtConfigError naming the key, without the runtime's text", async () => {
    const importKey = crypto.subtle.importKey.bind(crypto.subtle);
    const spy = vi
      .spyOn(crypto.subtle, "importKey")
      .mockImplementation(((format: string, ...rest: unknown[]) =>
        format === "jwk"
          ? Promise.reject(new DOMException("runtime-internal-text-31337", "OperationError"))
          : (importKey as (...args: unknown[]) => Promise<CryptoKey>)(format, ...rest)) as typeof crypto.subtle.importKey);
    try {
      const edge = onEdge({ issuer: "edge", authType: "ES256", secret: PAIRS["P-256"].privateKey, keyId: "k1" });
      const error = await rejectionOf(edge.ready());
      expect(optionOf(error)).toBe("secret");
      expect(String(error)).not.toMatch(/31337/);
      expect(optionOf(thrownBy(() => edge.jwks()))).toBe("secret");
    } finally {
      spy.mockRestore();
    }
  });

  it("a key without keyId: its tokens carry no kid, and jwks() asks for a keyId rather than publish a JWK without one", async () => {
    const edge = onEdge({ issuer: "edge", authType: "EdDSA", secret: PAIRS.Ed25519.privateKey });
    await edge.ready();
    expect(decodeProtectedHeader((await edge.authToken("alice")).signed).kid).toBeUndefined();
    const refusal = thrownBy(() => edge.jwks());
    expect(optionOf(refusal)).toBe("keyId");
    expect(String(refusal)).toMatch(/node:crypto/);
    // Node is unchanged: the thumbprint is the kid.
    expect(new AuthManager({ issuer: "edge", authType: "EdDSA", secret: PAIRS.Ed25519.privateKey }).jwks().keys[0]!.kid).toMatch(/^[\w-]{43}$/);
  });

  it("HMAC keys are never published, before or after ready()", async () => {
    const edge = onEdge({ issuer: "edge", authType: "HS256", secret: crypto.getRandomValues(new Uint8Array(32)), keyId: "k1" });
    expect(optionOf(thrownBy(() => edge.jwks()))).toBe("jwks");
    await edge.ready();
    expect(String(thrownBy(() => edge.jwks()))).toMatch(/shared secrets/);
  });

  it("on Node, ready() resolves for a manager whose keys the constructor checked", async () => {
    const node = new AuthManager({ issuer: "node", authType: "ES256", secret: PAIRS["P-256"].privateKey });
    const published = node.jwks();
    await expect(node.ready()).resolves.toBeUndefined();
    expect(node.jwks()).toBe(published);
  });
});
