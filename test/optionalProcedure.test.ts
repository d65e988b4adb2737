// optionalProcedure (#13.3): anonymous only without a token; a bad token is refused as by authedProcedure.
import { createTRPCClient, httpLink, TRPCClientError } from "@trpc/client";
import { initTRPC } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthManager, createJwtContext, createJwtProcedures, jwtErrorFormatter, type JwtErrorCode } from "trpc-jwt";
import { startServer } from "./helpers/httpServer.js";
import { fakeClock, optionsFor } from "./helpers/keys.js";
import { rejectionOf } from "./helpers/rejection.js";

const clock = fakeClock();
const auth = new AuthManager(optionsFor("HS256", { clock: clock.now, authMaxAge: 60 }));
const createContext = createJwtContext(auth);
const t = initTRPC.context<typeof createContext>().create({ errorFormatter: jwtErrorFormatter });
const { authedProcedure, optionalProcedure, requireToken } = createJwtProcedures(t);
const router = t.router({
  feed: optionalProcedure.query(({ ctx }) => (ctx.token === null ? "public feed" : `feed of ${ctx.token.sub}`)),
  adminOnly: optionalProcedure.use(requireToken({ scope: "admin" })).query(({ ctx }) => ctx.token.sub),
  authed: authedProcedure.query(({ ctx }) => ctx.token.sub),
});

let server: Awaited<ReturnType<typeof startServer>>;
beforeAll(async () => {
  server = await startServer({ router, createContext });
});
afterAll(() => server.close());

const client = (headers: Record<string, string> = {}) => createTRPCClient<typeof router>({ links: [httpLink({ url: server.url, headers })] });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function refusedOverHttp(call: Promise<unknown>) {
  const error = await rejectionOf(call);
  expect(error).toBeInstanceOf(TRPCClientError);
  const data = (error as TRPCClientError<typeof router>).data as { httpStatus: number; jwtCode?: JwtErrorCode };
  return { httpStatus: data.httpStatus, jwtCode: data.jwtCode };
}

describe("optionalProcedure over HTTP", () => {
  it("gives ctx.token === null when the request carries no token", async () => {
    expect(await client().feed.query()).toBe("public feed");
  });

  it("gives the verified token when there is one", async () => {
    const { signed } = await auth.authToken("alice");
    expect(await client(bearer(signed)).feed.query()).toBe("feed of alice");
  });

  it("refuses a present but bad, expired or wrong-type token with the same 401 as authedProcedure", async () => {
    const [expiring, refresh] = await Promise.all([auth.authToken("alice"), auth.refreshToken("alice")]);
    clock.advance(60); // the auth token is now expired; the refresh token is not
    const cases: [Record<string, string>, JwtErrorCode][] = [
      [bearer("not.a.token"), "TOKEN_INVALID"],
      [{ authorization: "Basic YWxpY2U6c2VjcmV0" }, "TOKEN_INVALID"],
      [bearer(expiring.signed), "TOKEN_EXPIRED"],
      [bearer(refresh.signed), "TOKEN_WRONG_TYPE"],
    ];
    for (const [headers, jwtCode] of cases) {
      const optional = await refusedOverHttp(client(headers).feed.query());
      expect(optional).toEqual({ httpStatus: 401, jwtCode });
      expect(await refusedOverHttp(client(headers).authed.query())).toEqual(optional);
    }
  });

  it("an anonymous call is no refusal: onRefused is not told about it", async () => {
    const events: unknown[] = [];
    const hooked = createJwtContext(auth, { onRefused: (event) => void events.push(event) });
    const caller = t.createCallerFactory(router)(hooked({ req: new Request("http://x") }));
    expect(await caller.feed()).toBe("public feed");
    expect(events).toEqual([]);
    await caller.authed().catch(() => undefined);
    expect(events).toEqual([{ code: "TOKEN_MISSING", reason: "missing", path: "authed" }]);
  });

  it("a rule added to it requires a token again", async () => {
    expect(await refusedOverHttp(client().adminOnly.query())).toEqual({ httpStatus: 401, jwtCode: "TOKEN_MISSING" });
    const [admin, user] = await Promise.all([auth.authToken("root", "admin"), auth.authToken("bob", "read")]);
    expect(await client(bearer(admin.signed)).adminOnly.query()).toBe("root");
    expect(await refusedOverHttp(client(bearer(user.signed)).adminOnly.query())).toEqual({ httpStatus: 403, jwtCode: "SCOPE_MISMATCH" });
  });
});
