// requireToken({ maxAuthAge }) (#13.4): 401 TOKEN_NOT_FRESH unless the login (auth_time) is recent,
// by the manager's own (here controlled) clock.
import { initTRPC } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { describe, expect, it } from "vitest";
import { AuthManager, createJwtContext, createJwtProcedures, jwtErrorFormatter, type RefusalEvent, type RequireTokenRules } from "trpc-jwt";
import { compileRules } from "../src/policy/compileRules.js";
import { forgeHmac, goodClaims } from "./helpers/forge.js";
import { fakeClock, optionsFor } from "./helpers/keys.js";
import { trpcRefusal } from "./helpers/trpcRefusal.js";

const clock = fakeClock();
const auth = new AuthManager(optionsFor("HS256", { clock: clock.now }));
const events: RefusalEvent[] = [];
const createContext = createJwtContext(auth, { onRefused: (event) => void events.push(event) });
const t = initTRPC.context<typeof createContext>().create({ errorFormatter: jwtErrorFormatter });
const { authedProcedure, requireToken } = createJwtProcedures(t);
const router = t.router({
  changePassword: authedProcedure.use(requireToken({ maxAuthAge: 300 })).mutation(() => "changed"),
  adminDelete: t.procedure.use(requireToken({ maxAuthAge: 300, scope: "admin", override: { root: true } })).mutation(() => "deleted"),
});
const callerFor = (signed: string) =>
  t.createCallerFactory(router)(createContext({ req: new Request("http://x", { headers: { authorization: `Bearer ${signed}` } }) }));

const nowSeconds = () => Math.floor(clock.now() / 1000);
/** A token of this manager, issued now, for a login `loginAge` seconds ago (no auth_time when undefined). */
function tokenFor(loginAge: number | undefined, extra: Record<string, unknown> = {}) {
  const claims = loginAge === undefined ? extra : { auth_time: nowSeconds() - loginAge, ...extra };
  return forgeHmac({ header: { typ: "JWT" }, payload: goodClaims(claims, nowSeconds()) });
}

describe("requireToken({ maxAuthAge })", () => {
  it("passes while now - auth_time <= maxAuthAge, and fails one second later", async () => {
    expect(await callerFor(await tokenFor(0)).changePassword()).toBe("changed");
    const token = await tokenFor(299);
    expect(await callerFor(token).changePassword()).toBe("changed");
    clock.advance(1); // exactly 300 s since the login
    expect(await callerFor(token).changePassword()).toBe("changed");
    clock.advance(1);
    expect(await trpcRefusal(callerFor(token).changePassword())).toEqual({
      code: "UNAUTHORIZED",
      jwtCode: "TOKEN_NOT_FRESH",
      message: "A more recent login is required",
    });
  });

  it("fails a token without a usable auth_time", async () => {
    for (const extra of [{}, { auth_time: "0" }, { auth_time: null }, { auth_time: -1 }]) {
      const token = await forgeHmac({ header: { typ: "JWT" }, payload: goodClaims(extra, nowSeconds()) });
      expect(await trpcRefusal(callerFor(token).changePassword())).toMatchObject({ jwtCode: "TOKEN_NOT_FRESH" });
    }
  });

  it("is never skipped by override, and is checked before the 403 rules", async () => {
    const staleRoot = await tokenFor(301, { root: true });
    expect(await trpcRefusal(callerFor(staleRoot).adminDelete())).toMatchObject({ code: "UNAUTHORIZED", jwtCode: "TOKEN_NOT_FRESH" });
    expect(await callerFor(await tokenFor(10, { root: true })).adminDelete()).toBe("deleted");
    const staleUser = await tokenFor(301, { scope: "read" });
    expect(await trpcRefusal(callerFor(staleUser).adminDelete())).toMatchObject({ jwtCode: "TOKEN_NOT_FRESH" });
  });

  it("answers 401 with data.jwtCode over HTTP, and tells onRefused the reason", async () => {
    events.length = 0;
    const response = await fetchRequestHandler({
      endpoint: "/trpc",
      router,
      createContext,
      req: new Request("http://localhost/trpc/changePassword", {
        method: "POST",
        headers: { authorization: `Bearer ${await tokenFor(3600)}`, "content-type": "application/json" },
        body: "",
      }),
    });
    expect(response.status).toBe(401);
    expect((await response.json()).error.data).toMatchObject({ code: "UNAUTHORIZED", httpStatus: 401, jwtCode: "TOKEN_NOT_FRESH" });
    expect(events).toEqual([{ code: "TOKEN_NOT_FRESH", reason: "auth_time", path: "changePassword" }]);
  });

  it("uses the clock of the issuer that verified the token, with several issuers", async () => {
    const behind = fakeClock(clock.now() - 3_600_000); // an hour behind `auth`'s clock
    const other = new AuthManager(optionsFor("HS256", { issuer: "other", clock: behind.now }));
    const both = createJwtContext([auth, other]);
    const t2 = initTRPC.context<typeof both>().create();
    const procedures = createJwtProcedures(t2);
    const r2 = t2.router({ p: procedures.authedProcedure.use(procedures.requireToken({ maxAuthAge: 300 })).query(({ ctx }) => ctx.token.iss) });
    const behindSeconds = Math.floor(behind.now() / 1000);
    // Logged in 10 s ago by `other`'s clock: fresh there, though an hour stale by `auth`'s.
    const token = await forgeHmac({ header: { typ: "JWT" }, payload: goodClaims({ iss: "other", auth_time: behindSeconds - 10 }, behindSeconds) });
    expect(
      await t2
        .createCallerFactory(r2)(both({ req: new Request("http://x", { headers: { authorization: `Bearer ${token}` } }) }))
        .p(),
    ).toBe("other");
  });

  it("must be a positive whole number of seconds", () => {
    for (const maxAuthAge of [0, -1, 1.5, "300", Number.NaN]) {
      expect(() => compileRules({ maxAuthAge } as unknown as RequireTokenRules)).toThrow(
        expect.objectContaining({ name: "JwtConfigError", option: "requireToken.maxAuthAge" }),
      );
    }
  });
});
