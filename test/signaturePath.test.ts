// Which path checks signatures: node:crypto in the "native" test project, jose in the "jose"
// project (vitest.config.ts), under every algorithm, so the suite's second run really is the
// fallback's and the first never touches jose.
import { describe, expect, it, vi } from "vitest";

/** The signature path a project runs on: "native" or "jose" (this file runs in their "-isolated" projects, for its mocks). */
const pathOf = (projectName: string | undefined) => /^(native|jose)(-isolated)?$/.exec(projectName ?? "")?.[1];

const joseChecks = vi.hoisted(() => ({ calls: 0, failWith: undefined as unknown }));
const nativeChecks = vi.hoisted(() => ({ calls: 0, failWith: undefined as unknown }));
vi.mock("jose", async (importOriginal) => (await import("./helpers/countingSignatureChecks.js")).countingJose(importOriginal, joseChecks));
vi.mock("../src/keys/nativeVerify.js", async (importOriginal) =>
  (await import("./helpers/countingSignatureChecks.js")).countingNativeVerify(importOriginal, nativeChecks),
);

const { AuthManager } = await import("trpc-jwt");
const { ALGORITHMS, optionsFor } = await import("./helpers/keys.js");

describe.each(ALGORITHMS)("the signature path under %s", (alg) => {
  it("is node:crypto in the native project and jose in the jose project, for good and bad tokens", async ({ task }) => {
    const auth = new AuthManager(optionsFor(alg, { cacheSize: 0 }));
    const { signed } = await auth.authToken("alice");
    const at = signed.lastIndexOf(".") + 1;
    const forged = `${signed.slice(0, at)}${signed[at] === "A" ? "B" : "A"}${signed.slice(at + 1)}`; // the signature's first character changed
    joseChecks.calls = nativeChecks.calls = 0;
    await expect(auth.verifyToken(signed, "auth")).resolves.toMatchObject({ sub: "alice" });
    await expect(auth.verifyToken(forged, "auth")).rejects.toMatchObject({ code: "TOKEN_INVALID" });
    const native = pathOf(task.file.projectName) === "native";
    expect(pathOf(task.file.projectName)).toMatch(/^(native|jose)$/);
    expect({ native: nativeChecks.calls, jose: joseChecks.calls }).toEqual(native ? { native: 2, jose: 0 } : { native: 0, jose: 2 });
  });
});

describe("a token verified without waiting", () => {
  it("is answered without a promise on node:crypto, and a refusal is still a rejected promise (issue 26)", async ({ task }) => {
    const { createSecretKey } = await import("node:crypto");
    const { createVerifier } = await import("../src/tokens/createVerifier.js");
    const { createSignatureStep } = await import("../src/tokens/createSignatureStep.js");
    const { readClaims } = await import("../src/tokens/readClaims.js");
    const secret = "signature-path-secret-0123456789abcdef";
    const issuer = new AuthManager({ issuer: "api", authType: "HS256", secret });
    const { signed } = await issuer.authToken("alice");
    const key = { keyObject: createSecretKey(Buffer.from(secret)), joseKey: new TextEncoder().encode(secret) };
    const policy = { issuer: "api", audience: undefined, clockTolerance: 0, clock: Date.now, maxTokenLength: 8192, cacheSize: 0 };
    const verify = createVerifier(policy, { signature: createSignatureStep("HS256", key), claims: readClaims });
    const verified = verify(signed, "auth");
    expect(pathOf(task.file.projectName)).toMatch(/^(native|jose)$/);
    expect(verified instanceof Promise).toBe(pathOf(task.file.projectName) !== "native");
    await expect(Promise.resolve(verified)).resolves.toMatchObject({ sub: "alice" });
    const refused = verify(signed, "refresh");
    expect(refused).toBeInstanceOf(Promise);
    await expect(refused).rejects.toMatchObject({ code: "TOKEN_WRONG_TYPE" });
  });
});
