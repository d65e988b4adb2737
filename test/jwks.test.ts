// Issue 9: the example server publishes its JWK Set next to tRPC, and another service verifies the
// tokens it issues with nothing but jose's createRemoteJWKSet pointed at it.
import { createTRPCClient, httpLink } from "@trpc/client";
import { createRemoteJWKSet, jwtVerify } from "jose";
import superjson from "superjson";
import { describe, expect, it } from "vitest";
import type { AppRouter } from "../example-server/appRouter.js";
import { startExampleServer } from "../example-server/server.js";
import { secretFor } from "./helpers/keys.js";

describe("the example server's /.well-known/jwks.json", () => {
  it.each(["EdDSA", "ES256", "RS256"] as const)("under %s, its tokens verify through jose's createRemoteJWKSet", async (alg) => {
    const server = await startExampleServer(0, () => undefined, { JWT_AUTHTYPE: alg, JWT_SECRET: secretFor(alg), JWT_AUTHMAXAGE: "60" });
    try {
      const client = createTRPCClient<AppRouter>({ links: [httpLink({ url: server.url, transformer: superjson })] });
      const { authToken, refreshToken } = await client.login.mutate({ username: "root", password: "correct horse battery staple" });
      const response = await fetch(`${server.url}/.well-known/jwks.json`);
      expect(response.headers.get("content-type")).toBe("application/json");
      const { keys } = (await response.json()) as { keys: Record<string, unknown>[] };
      expect(keys).toHaveLength(1);
      expect(keys[0]).toMatchObject({ alg, use: "sig" });
      expect(JSON.stringify(keys)).not.toMatch(/"(d|p|q|dp|dq|qi)"/);

      const jwks = createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`));
      const { payload, protectedHeader } = await jwtVerify(authToken, jwks, { issuer: "trpc-jwt-example", algorithms: [alg] });
      expect(payload).toMatchObject({ sub: "root", type: "auth", scope: { admin: true } });
      expect(protectedHeader.kid).toBe(keys[0]!["kid"]);
      await expect(jwtVerify(refreshToken, jwks, { issuer: "trpc-jwt-example", algorithms: [alg] })).resolves.toMatchObject({ payload: { type: "refresh" } });
      // A token its key did not sign is refused by the other service too.
      const forged = `${authToken.slice(0, authToken.lastIndexOf(".") + 1)}${"A".repeat(authToken.length - authToken.lastIndexOf(".") - 1)}`;
      await expect(jwtVerify(forged, jwks, { algorithms: [alg] })).rejects.toThrow();
    } finally {
      await server.stop();
    }
  });

  it("an HMAC server publishes nothing: the path is tRPC's 404", async () => {
    const server = await startExampleServer(0, () => undefined, { JWT_AUTHTYPE: "HS256", JWT_SECRET: secretFor("HS256") });
    try {
      expect((await fetch(`${server.url}/.well-known/jwks.json`)).status).toBe(404);
    } finally {
      await server.stop();
    }
  });
});
