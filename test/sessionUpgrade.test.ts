// Sessions that were live when trpc-jwt moved from a used-mark per refresh token to a rotation
// counter per session (the `rot` claim): their refresh tokens have no `rot`, their stored session no
// counter. The store is seeded with that old layout directly (refresh tokens as the old code signed
// them, the old code's used-marks), then rotate runs over real HTTP, with memoryStore() and with
// redisStore() on a real redis-server. An old token used before the upgrade must stay reuse.
import { randomUUID } from "node:crypto";
import { createTRPCClient, httpLink, TRPCClientError } from "@trpc/client";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthManager, memoryStore, type TokenStore } from "trpc-jwt";
import { forgeHmac } from "./helpers/forge.js";
import { startServer } from "./helpers/httpServer.js";
import { HS256_SECRET, optionsFor } from "./helpers/keys.js";
import { hasRedisServer } from "./helpers/redisServer.js";
import { rejectionOf } from "./helpers/rejection.js";
import { createSessionApp, type SessionRouter } from "./helpers/sessionApp.js";
import { useRedisStores } from "./helpers/useRedisStores.js";

const decode = (segment: string) => JSON.parse(Buffer.from(segment, "base64url").toString("utf8")) as Record<string, unknown>;

function upgradedSessions(openStore: () => Promise<TokenStore>) {
  let store: TokenStore;
  let server: Awaited<ReturnType<typeof startServer>>;
  let api: ReturnType<typeof createTRPCClient<SessionRouter>>;
  beforeAll(async () => {
    store = await openStore();
    server = await startServer(createSessionApp(new AuthManager({ ...optionsFor("HS256"), store })));
    api = createTRPCClient<SessionRouter>({ links: [httpLink({ url: server.url, transformer: superjson })] });
  });
  afterAll(() => server.close());

  const code = async (call: Promise<unknown>) => ((await rejectionOf(call)) as TRPCClientError<SessionRouter>).data?.jwtCode;

  /**
   * A session as the old code left it: three refresh tokens without `rot` (r0 and r1 used, each
   * marked with consumeRefreshToken as the old rotate did; r2 the current one), no counter stored.
   */
  async function oldSession(sub: string) {
    const [header, payload] = (await api.login.mutate({ sub })).refreshToken.split(".") as [string, string];
    const { rot: _rot, ...claims } = decode(payload);
    const old = () => {
      const jti = randomUUID();
      return forgeHmac({ header: decode(header), payload: { ...claims, jti } }, HS256_SECRET).then((signed) => ({ jti, signed }));
    };
    const [r0, r1, r2] = [await old(), await old(), await old()];
    const usedAt = Date.now() - 60_000;
    for (const used of [r0, r1]) expect(await store.consumeRefreshToken(used.jti, usedAt, ((claims["exp"] as number) + 60) * 1000)).toBeUndefined();
    return { r0: r0.signed, r1: r1.signed, r2: r2.signed };
  }

  it("a refresh token used before the upgrade is reuse: 401 TOKEN_REUSED, and the session ends", async () => {
    const { r0, r2 } = await oldSession("alice");
    expect(await code(api.rotate.mutate({ refresh: r0 }))).toBe("TOKEN_REUSED");
    expect(await code(api.rotate.mutate({ refresh: r2 }))).toBe("TOKEN_REVOKED");
  });

  it("the session's current old token rotates once, into the counted scheme; every old token after it is reuse", async () => {
    const { r1, r2 } = await oldSession("bob");
    const next = await api.rotate.mutate({ refresh: r2 });
    expect(decode(next.refreshToken.split(".")[1] as string)["rot"]).toBe(1);
    const after = await api.rotate.mutate({ refresh: next.refreshToken });
    expect(await code(api.rotate.mutate({ refresh: r1 }))).toBe("TOKEN_REUSED");
    expect(await code(api.rotate.mutate({ refresh: after.refreshToken }))).toBe("TOKEN_REVOKED");
  });

  it("the current old token presented twice: the second is reuse", async () => {
    const { r2 } = await oldSession("carol");
    await api.rotate.mutate({ refresh: r2 });
    expect(await code(api.rotate.mutate({ refresh: r2 }))).toBe("TOKEN_REUSED");
  });
}

describe("sessions from before rotation counting, with memoryStore()", () => {
  upgradedSessions(async () => memoryStore());
});

describe.runIf(hasRedisServer())("sessions from before rotation counting, with redisStore() on a real redis-server", () => {
  upgradedSessions(useRedisStores().open);
});
