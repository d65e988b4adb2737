// The server entry as an edge runtime sees it (issue #18): node:crypto is missing, so keys are read
// and checked through Web Crypto and jose alone. `npm run test:runtimes` runs the same on workerd;
// this file pins the key checks' behaviour there, on Node, by hiding node:crypto.
import { generateKeyPairSync } from "node:crypto";
import { importSPKI, jwtVerify } from "jose";
import { describe, expect, it, vi } from "vitest";
import { AuthManager, JwtConfigError, JwtError } from "trpc-jwt";
import { otherRsa, RSA_PRIVATE_PEM, RSA_PUBLIC_PEM } from "./helpers/keys.js";
import { rejectionOf } from "./helpers/rejection.js";
import { nextRsaPemPair } from "./helpers/rsaKeys.js";

vi.mock("../src/keys/nodeCrypto.js", () => ({ nodeCrypto: undefined }));

const pkcs1 = nextRsaPemPair("pkcs1");
const weak = generateKeyPairSync("rsa", {
  modulusLength: 1024,
  publicKeyEncoding: { type: "spki", format: "pem" },
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
});
const rs256 = (secret: string, publicKey?: string) =>
  new AuthManager({ issuer: "edge", authType: "RS256", secret, ...(publicKey === undefined ? {} : { publicKey }) });
const optionOf = (error: unknown) => (error instanceof JwtConfigError ? error.option : String(error));

describe("without node:crypto (edge runtimes)", () => {
  it("signs and verifies RS256 and RS512 with PKCS#8 and SPKI PEM through Web Crypto", async () => {
    for (const authType of ["RS256", "RS512"] as const) {
      const auth = new AuthManager({ issuer: "edge", authType, secret: RSA_PRIVATE_PEM, publicKey: RSA_PUBLIC_PEM });
      const token = await auth.authToken("alice", { admin: true });
      expect((await auth.verifyToken(token.signed, "auth")).sub).toBe("alice");
      // Signed with the configured key: anyone with the public key verifies it.
      const { payload } = await jwtVerify(token.signed, await importSPKI(RSA_PUBLIC_PEM, authType), { algorithms: [authType] });
      expect(payload.sub).toBe("alice");
    }
  });

  it("signs and verifies HS256", async () => {
    const auth = new AuthManager({ issuer: "edge", authType: "HS256", secret: crypto.getRandomValues(new Uint8Array(32)) });
    expect((await auth.verifyToken((await auth.refreshToken("alice")).signed, "refresh")).sub).toBe("alice");
  });

  it("says at construction which keys it cannot read without node:crypto, naming the option", () => {
    expect(optionOf(rejectionOfSync(() => rs256(pkcs1.privateKey)))).toBe("secret");
    expect(String(rejectionOfSync(() => rs256(pkcs1.privateKey)))).toMatch(/PKCS#8.*node:crypto/);
    expect(optionOf(rejectionOfSync(() => rs256(RSA_PRIVATE_PEM, pkcs1.publicKey)))).toBe("publicKey");
    const ssh = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ== user@host";
    expect(String(rejectionOfSync(() => rs256(RSA_PRIVATE_PEM, ssh)))).toMatch(/publicKey.*node:crypto/);
    expect(String(rejectionOfSync(() => rs256(RSA_PUBLIC_PEM)))).toMatch(/secret.*is a public key/);
    expect(String(rejectionOfSync(() => rs256(RSA_PRIVATE_PEM, RSA_PRIVATE_PEM)))).toMatch(/publicKey.*is a private key/);
  });

  it("checks size and pairing as the import runs: signing rejects with JwtConfigError naming the option, verification refuses every token", async () => {
    const small = rs256(weak.privateKey);
    expect(optionOf(await rejectionOf(small.authToken("alice")))).toBe("secret");
    const genuine = await rs256(RSA_PRIVATE_PEM).authToken("alice");
    const refusal = await rejectionOf(small.verifyToken(genuine.signed));
    expect(refusal).toBeInstanceOf(JwtError);
    expect((refusal as JwtError).code).toBe("TOKEN_INVALID");

    const mismatched = rs256(RSA_PRIVATE_PEM, otherRsa.publicKey);
    const error = await rejectionOf(mismatched.authToken("alice"));
    expect(optionOf(error)).toBe("publicKey");
    expect(String(error)).toMatch(/not the public half of secret/);
    expect(((await rejectionOf(mismatched.verifyToken(genuine.signed))) as JwtError).code).toBe("TOKEN_INVALID");
  });
});

function rejectionOfSync(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error("did not throw");
}
