// #22.4 and #22.5: a logout that cannot be a no-op (`auth.revoke(ctx.token)` for any token, a
// `revokeSession` without a usable sid refused), and the Quick start's sessionless refresh
// tokens rotated into sessions once; over HTTP (plain procedures) with memoryStore() and a real
// redis-server.
import { createTRPCClient, httpLink, TRPCClientError } from "@trpc/client";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthManager, JwtConfigError, memoryStore, type TokenStore } from "trpc-jwt";
import { startServer } from "./helpers/httpServer.js";
import { optionsFor } from "./helpers/keys.js";
import { hasRedisServer } from "./helpers/redisServer.js";
import { rejectionOf } from "./helpers/rejection.js";
import { createSessionApp, type SessionRouter } from "./helpers/sessionApp.js";
import { useRedisStores } from "./helpers/useRedisStores.js";

async function refusal(call: Promise<unknown>) {
  const error = await rejectionOf(call);
  expect(error).toBeInstanceOf(TRPCClientError);
  const { httpStatus, jwtCode } = (error as TRPCClientError<SessionRouter>).data as { httpStatus: number; jwtCode?: string };
  return { httpStatus, jwtCode };
}

function sessionEdges(openStore: () => Promise<TokenStore>) {
  let auth: AuthManager;
  let server: Awaited<ReturnType<typeof startServer>>;
  // The Quick start's manager: the same key and issuer, no store.
  const quick = new AuthManager(optionsFor("HS256"));
  const client = (token?: string) =>
    createTRPCClient<SessionRouter>({
      links: [httpLink({ url: server.url, transformer: superjson, headers: token === undefined ? {} : { authorization: `Bearer ${token}` } })],
    });
  beforeAll(async () => {
    auth = new AuthManager(optionsFor("HS256", { store: await openStore() }));
    server = await startServer(createSessionApp(auth));
  });
  afterAll(() => server.close());

  it("revokeSession(undefined | '' | 42) throws JwtConfigError naming sid", async () => {
    for (const sid of [undefined, "", 42]) {
      const error = await rejectionOf(auth.revokeSession(sid as never));
      expect(error).toBeInstanceOf(JwtConfigError);
      expect((error as JwtConfigError).option).toBe("sid");
    }
  });

  it("logout is auth.revoke(ctx.token): a session's token ends the session, its refresh token included", async () => {
    const pair = await client().login.mutate({ sub: "alice" });
    expect(await client(pair.authToken).me.query()).toBe("alice");
    await client(pair.authToken).logout.mutate();
    expect(await refusal(client(pair.authToken).me.query())).toEqual({ httpStatus: 401, jwtCode: "TOKEN_REVOKED" });
    expect(await refusal(client().rotate.mutate({ refresh: pair.refreshToken }))).toEqual({ httpStatus: 401, jwtCode: "TOKEN_REVOKED" });
  });

  it("logout is auth.revoke(ctx.token): a sessionless (Quick start) token is refused from then on", async () => {
    const plain = await quick.authToken("bob");
    expect(plain.claims["sid"]).toBeUndefined();
    expect(await client(plain.signed).me.query()).toBe("bob");
    await client(plain.signed).logout.mutate();
    expect(await refusal(client(plain.signed).me.query())).toEqual({ httpStatus: 401, jwtCode: "TOKEN_REVOKED" });
  });

  it("a Quick start refresh token is rotated once into a session; presented again it is TOKEN_REUSED and ends that session", async () => {
    const refresh = await quick.refreshToken("carol");
    const pair = await client().rotate.mutate({ refresh: refresh.signed });
    const adopted = await auth.verifyToken(pair.authToken, "auth");
    expect(adopted.sub).toBe("carol");
    expect(adopted.claims["sid"]).toEqual(expect.any(String));
    expect(await client(pair.authToken).me.query()).toBe("carol");
    const next = await client().rotate.mutate({ refresh: pair.refreshToken }); // a session like any other
    expect(await client(next.authToken).me.query()).toBe("carol");
    expect(await refusal(client().rotate.mutate({ refresh: refresh.signed }))).toEqual({ httpStatus: 401, jwtCode: "TOKEN_REUSED" });
    expect(await refusal(client(next.authToken).me.query())).toEqual({ httpStatus: 401, jwtCode: "TOKEN_REVOKED" });
  });

  it("adoption takes update's scope and claims, and refuses a sessionless refresh token issued before revokeSubject", async () => {
    const refresh = await auth.refreshToken("dave");
    const pair = await auth.rotate(refresh, { scope: { admin: true }, claims: { org: "acme" } });
    expect(pair.authToken.scope).toEqual({ admin: true });
    expect(pair.authToken.claims["org"]).toBe("acme");
    const [mine, quickOne] = [await auth.refreshToken("erin"), await quick.refreshToken("erin")];
    await auth.revokeSubject("erin");
    for (const token of [mine, quickOne])
      expect(await refusal(client().rotate.mutate({ refresh: token.signed }))).toEqual({ httpStatus: 401, jwtCode: "TOKEN_REVOKED" });
    const after = await auth.refreshToken("erin");
    expect((await client().rotate.mutate({ refresh: after.signed })).authToken).toEqual(expect.any(String));
  });
}

describe("logout and the Quick start's tokens, memoryStore()", () => {
  sessionEdges(async () => memoryStore());
});

describe.runIf(hasRedisServer())("logout and the Quick start's tokens, redisStore() on a real redis-server", () => {
  sessionEdges(useRedisStores().open);
});
