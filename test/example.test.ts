// The README's first command, minus the process boundary: the example client against the
// example server must walk through every step as expected.
import { describe, expect, it } from "vitest";
import { jwtErrorCode } from "trpc-jwt/client";
import { testContext } from "trpc-jwt/testing";
import { runDemoClient } from "../example-client/client.js";
import { createAppRouter } from "../example-server/appRouter.js";
import { createAuth } from "../example-server/auth.js";
import { startExampleServer } from "../example-server/server.js";
import { rejectionOf } from "./helpers/rejection.js";
import { hasRedisServer, startRedisServer } from "./helpers/redisServer.js";

// The two demo runs (each waits 3 s for its auth token to expire) run concurrently: each has its
// own server, store and client, and asserts with its own `expect`.
describe.concurrent("example server and client", () => {
  it("log in, call, get refused, refresh and log out, as the demo prints", { timeout: 15_000 }, async ({ expect }) => {
    const server = await startExampleServer(0, () => undefined);
    const lines: string[] = [];
    try {
      expect(await runDemoClient(server.url, (line) => lines.push(line))).toBe(true);
    } finally {
      await server.stop();
    }
    const transcript = lines.join("\n");
    expect(transcript).not.toContain("FAIL");
    expect(transcript).toContain("protectedRoute without a token -> refused: 401 TOKEN_MISSING");
    expect(transcript).toContain("user({ username: 'bob' }) -> refused: 403 CLAIMS_MISMATCH");
    expect(transcript).toContain("admin -> refused: 403 SCOPE_MISMATCH");
    expect(transcript).toContain("exactly one refresh, new auth token stored");
    expect(transcript).toContain("logout callback fired once and the store was cleared");
    expect(transcript).toContain("the old refresh token presented again (a thief replaying it) -> refused: 401 TOKEN_REUSED");
    expect(transcript).toContain("alice's newest auth token: the reuse ended her whole session -> refused: 401 TOKEN_REVOKED");
    expect(transcript).toContain("the auth token of the session that logged out -> refused: 401 TOKEN_REVOKED");
  });
});

describe.runIf(hasRedisServer()).concurrent("example server with REDIS_URL set", () => {
  it("keeps its sessions in Redis, and the demo walks through every step as with memory", { timeout: 20_000 }, async ({ expect }) => {
    const redis = await startRedisServer();
    const logged: string[] = [];
    try {
      // REDIS_URL in the server's environment (its `env`, process.env by default): the other demo
      // run, at the same time, keeps its sessions in memory.
      const server = await startExampleServer(0, (line) => logged.push(line), { ...process.env, REDIS_URL: redis.url });
      try {
        expect(await runDemoClient(server.url, () => undefined)).toBe(true);
      } finally {
        await server.stop();
      }
    } finally {
      await redis.stop();
    }
    expect(logged).toContain("Sessions in Redis (REDIS_URL).");
  });
});

describe("the example router without HTTP (trpc-jwt/testing)", () => {
  const auth = createAuth({ JWT_SECRET: "example-test-secret-of-32-bytes!!" }, () => undefined);
  const { appRouter } = createAppRouter(auth);
  const callerAs = async (caller: Parameters<typeof testContext>[1]) => appRouter.createCaller(await testContext(auth, caller));

  it("runs the guards as over HTTP: scope, claims bound to input, literal claims", async () => {
    const root = await callerAs({ sub: "root", scope: { admin: true }, claims: { admin: true } }); // as users.ts has it
    expect(await root.admin()).toBe("Welcome, admin");
    const alice = await callerAs({ sub: "alice", scope: { admin: false }, claims: { custom_claim: "Arbitrary Required Value" } });
    expect(await alice.user({ username: "alice" })).toBe("Hello, alice!");
    expect(await alice.custom()).toBe("You have the custom claim");
    expect(jwtErrorCode(await rejectionOf(alice.admin()))).toBe("SCOPE_MISMATCH");
    expect(jwtErrorCode(await rejectionOf(alice.user({ username: "bob" })))).toBe("CLAIMS_MISMATCH");
    expect(await root.overridable({ username: "bob" })).toBe("Hello, bob! (override allowed)");
  });

  it("anonymous, refresh and foreign tokens", async () => {
    expect(await (await callerAs(null)).health()).toBe("ok");
    expect(jwtErrorCode(await rejectionOf((await callerAs(undefined)).protectedRoute()))).toBe("TOKEN_MISSING");
    // The example's refresh rotates a session: its refresh token comes from login.
    const refresh = await (await callerAs({ token: (await auth.login("alice")).refreshToken.signed })).refresh();
    expect((await auth.verifyToken(refresh.authToken, "auth")).sub).toBe("alice");
    const refreshAsAuth = await callerAs({ token: (await auth.refreshToken("alice")).signed });
    expect(jwtErrorCode(await rejectionOf(refreshAsAuth.protectedRoute()))).toBe("TOKEN_WRONG_TYPE");
    expect(jwtErrorCode(await rejectionOf((await callerAs({ token: "x.y.z" })).protectedRoute()))).toBe("TOKEN_INVALID");
    await expect(testContext(auth, { sub: "alice", type: "refresh", scope: "admin" })).rejects.toThrow(
      "testContext.caller: a refresh token carries no scope or claims",
    );
  });
});
