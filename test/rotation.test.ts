// Issue 9: a key rotation in its four steps (add the new key, publish it, switch, retire the old
// one), each a redeploy of the server on 127.0.0.1, with a client that keeps the tokens it was
// given along the way, and another service verifying through the published JWKS.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { TRPCClientError } from "@trpc/client";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { AuthManager, type AuthManagerOptions } from "trpc-jwt";
import { bearer, clientFor } from "./helpers/httpServer.js";
import { PAIRS } from "./helpers/keys.js";
import { createTestApp } from "./helpers/testApp.js";

const OLD = PAIRS["P-256"];
const NEW = { privateKey: "", publicKey: "" };
{
  const { generateKeyPairSync } = await import("node:crypto");
  Object.assign(
    NEW,
    generateKeyPairSync("ec", {
      namedCurve: "P-256",
      publicKeyEncoding: { type: "spki", format: "pem" },
      privateKeyEncoding: { type: "pkcs8", format: "pem" },
    }),
  );
}

/** One deployment: tRPC at /, the manager's JWK Set at /.well-known/jwks.json. */
async function deploy(options: AuthManagerOptions) {
  const auth = new AuthManager(options);
  const { router, createContext } = createTestApp(auth);
  const trpc = createHTTPHandler({ router, createContext });
  const server = createServer((req, res) => {
    if (req.url === "/.well-known/jwks.json") {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(auth.jwks()));
      return;
    }
    trpc(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    auth,
    url,
    /** What the client's call with `token` gets: "ok" or the refusal's jwtCode. */
    async call(token: string) {
      try {
        await clientFor(url, bearer(token)).requireAuthHeader.query();
        return "ok";
      } catch (error) {
        expect(error).toBeInstanceOf(TRPCClientError);
        const { data } = error as { data?: { httpStatus?: number; jwtCode?: string } };
        return `${data?.httpStatus} ${data?.jwtCode}`;
      }
    },
    /** What another service decides about `token` with only the published JWKS. */
    async outside(token: string) {
      const jwks = createRemoteJWKSet(new URL(`${url}/.well-known/jwks.json`));
      return jwtVerify(token, jwks, { issuer: "rotating-api", algorithms: ["ES256"] }).then(
        () => "ok",
        (e: { code: string }) => e.code,
      );
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe("key rotation over HTTP", () => {
  it("add, publish, switch, retire: nothing is refused until the old key is retired, then exactly the old tokens are", async () => {
    const base = { issuer: "rotating-api", authType: "ES256" } as const;
    const tokens: Record<string, string> = {};
    const decide = async (step: Awaited<ReturnType<typeof deploy>>) => {
      const decisions: Record<string, string> = {};
      for (const [name, token] of Object.entries(tokens)) decisions[name] = `${await step.call(token)} / outside ${await step.outside(token)}`;
      return decisions;
    };

    // Before: one key, "2026-10".
    let step = await deploy({ ...base, secret: OLD.privateKey, keyId: "2026-10" });
    tokens["before"] = (await step.auth.authToken("alice")).signed;
    expect(step.auth.jwks().keys.map((k) => k.kid)).toEqual(["2026-10"]);
    await step.stop();

    // 1-2. Add the new key as verify-only and publish it: other services learn it before it signs.
    step = await deploy({ ...base, secret: OLD.privateKey, keyId: "2026-10", previousKeys: [{ keyId: "2026-11", publicKey: NEW.publicKey }] });
    expect(step.auth.jwks().keys.map((k) => k.kid)).toEqual(["2026-10", "2026-11"]);
    tokens["added"] = (await step.auth.authToken("alice")).signed;
    expect(await decide(step)).toEqual({ before: "ok / outside ok", added: "ok / outside ok" });
    await step.stop();

    // 3. Switch: the new key signs, the old one only verifies.
    step = await deploy({ ...base, secret: NEW.privateKey, keyId: "2026-11", previousKeys: [{ keyId: "2026-10", publicKey: OLD.publicKey }] });
    expect(step.auth.jwks().keys.map((k) => k.kid)).toEqual(["2026-11", "2026-10"]);
    tokens["switched"] = (await step.auth.authToken("alice")).signed;
    expect(await decide(step)).toEqual({ before: "ok / outside ok", added: "ok / outside ok", switched: "ok / outside ok" });
    await step.stop();

    // 4. Retire the old key: exactly the tokens it signed are refused, here and outside.
    step = await deploy({ ...base, secret: NEW.privateKey, keyId: "2026-11" });
    expect(step.auth.jwks().keys.map((k) => k.kid)).toEqual(["2026-11"]);
    expect(await decide(step)).toEqual({
      before: "401 TOKEN_INVALID / outside ERR_JWKS_NO_MATCHING_KEY",
      added: "401 TOKEN_INVALID / outside ERR_JWKS_NO_MATCHING_KEY",
      switched: "ok / outside ok",
    });
    await step.stop();
  });
});
