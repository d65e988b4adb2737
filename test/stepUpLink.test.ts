// stepUpLink (issue #30) over real HTTP on 127.0.0.1 with the typed client: calls refused with
// 401 STEP_UP_REQUIRED wait for one step-up, and exactly those calls are sent again (counted at
// the server); a failed or cancelled step-up fails them with their own error; the refresh links
// never refresh on this code.
import { createTRPCClient, httpBatchLink, TRPCClientError, type TRPCLink } from "@trpc/client";
import { initTRPC } from "@trpc/server";
import { observable } from "@trpc/server/observable";
import superjson from "superjson";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { AuthManager, createJwtContext, createJwtProcedures, JwtConfigError, jwtErrorFormatter } from "trpc-jwt";
import {
  bearerHeaders,
  cookieRefreshLink,
  createTokenStore,
  jwtErrorAction,
  jwtErrorCode,
  refreshLink,
  stepUpLink,
  type StepUpLinkOptions,
} from "trpc-jwt/client";
import { clientRefusal } from "./helpers/clientRefusal.js";
import { startServer } from "./helpers/httpServer.js";
import { clientErrorOf } from "./helpers/rejection.js";
import { optionsFor } from "./helpers/keys.js";

const auth = new AuthManager(optionsFor("HS256"));
const hits = { profile: 0, settings: 0, balance: 0, payout: 0 };

const createContext = createJwtContext(auth);
const t = initTRPC.context<typeof createContext>().create({ transformer: superjson, errorFormatter: jwtErrorFormatter });
const { authedProcedure, requireToken } = createJwtProcedures(t);
const count = (name: keyof typeof hits) => t.middleware(({ next }) => (hits[name]++, next()));
const mfa = requireToken({ acr: ["urn:mfa"], maxAuthAge: 600 });
const router = t.router({
  profile: authedProcedure.use(count("profile")).query(({ ctx }) => ctx.token.sub),
  settings: authedProcedure.use(count("settings")).query(() => "settings"),
  balance: authedProcedure
    .use(count("balance"))
    .use(mfa)
    .query(() => 100),
  payout: authedProcedure
    .use(count("payout"))
    .use(mfa)
    .mutation(() => "paid"),
  // Other levels: a hardware key, or either.
  transfer: authedProcedure.use(requireToken({ acr: ["urn:mfa", "urn:hwk"], maxAuthAge: 600 })).mutation(() => "sent"),
  wipe: authedProcedure.use(requireToken({ acr: ["urn:hwk"], maxAuthAge: 300 })).mutation(() => "wiped"),
});
type Router = typeof router;

let server: Awaited<ReturnType<typeof startServer>>;
beforeAll(async () => {
  server = await startServer({ router, createContext });
});
afterAll(() => server.close());
// What a test holds a response of back for, by request path.
let holdBack: (path: string) => Promise<unknown> | undefined = () => undefined;
afterEach(() => {
  for (const key of Object.keys(hits) as (keyof typeof hits)[]) hits[key] = 0;
  holdBack = () => undefined;
});

const login = async (acr: string) => (await auth.login("alice", undefined, undefined, { acr })).authToken.signed;

/** A batching client whose token starts as a password login; `stepUp` is the app's, given the store. */
async function session(
  stepUp: (store: ReturnType<typeof createTokenStore>) => StepUpLinkOptions["stepUp"],
  extra: TRPCLink<Router>[] = [],
  store = createTokenStore(),
) {
  store.setTokens({ authToken: await login("urn:pwd") });
  const requests: string[] = [];
  const recording = async (input: URL | RequestInfo, init?: unknown) => {
    const path = new URL(String(input)).pathname;
    requests.push(path);
    const response = await fetch(input, init as RequestInit);
    await holdBack(path);
    return response;
  };
  const spy = vi.fn(stepUp(store));
  const client = createTRPCClient<Router>({
    links: [
      ...extra,
      stepUpLink({ stepUp: spy }),
      httpBatchLink({ url: server.url, transformer: superjson, headers: bearerHeaders(store.getAuthToken), fetch: recording }),
    ],
  });
  return { client, store, spy, requests };
}

// The app's re-authentication: an mfa login, stored.
const reauthenticate = (store: ReturnType<typeof createTokenStore>) => async () => store.setTokens({ authToken: await login("urn:mfa") });
// One that logs in at the first level the challenge lists (the server's preference).
const firstListed: Parameters<typeof session>[0] = (store) => async (challenge) =>
  store.setTokens({ authToken: await login(challenge.acrValues?.split(" ")[0] ?? "urn:pwd") });

const refusalOf = (call: Promise<unknown>) => clientErrorOf<Router>(call);

describe("stepUpLink", () => {
  it("a batch of 3 where 1 needs step-up: stepUp runs once with the challenge, and only that call is sent again", async () => {
    const { client, spy, requests } = await session(reauthenticate);
    const results = await Promise.all([client.profile.query(), client.balance.query(), client.settings.query()]);
    expect(results).toEqual(["alice", 100, "settings"]);
    expect(spy).toHaveBeenCalledTimes(1);
    expect(spy).toHaveBeenCalledWith({ acrValues: "urn:mfa", maxAge: 600 });
    expect(hits).toEqual({ profile: 1, settings: 1, balance: 2, payout: 0 });
    expect(requests).toEqual(["/profile,balance,settings", "/balance"]);
  });

  it("every call refused meanwhile waits for the same step-up, and each is sent again once", async () => {
    const { client, spy } = await session(reauthenticate);
    const results = await Promise.all([client.balance.query(), client.balance.query(), client.payout.mutate(), client.profile.query()]);
    expect(results).toEqual([100, 100, "paid", "alice"]);
    expect(spy).toHaveBeenCalledTimes(1);
    expect(hits).toEqual({ profile: 1, settings: 0, balance: 4, payout: 2 });
  });

  it("a failed or cancelled step-up fails the waiting calls with their own error, and sends nothing again", async () => {
    for (const stepUp of [async () => Promise.reject(new Error("closed the dialog")), async () => false]) {
      const { client, spy, store } = await session(() => stepUp);
      const before = store.getAuthToken();
      const [balance, profile] = await Promise.allSettled([refusalOf(client.balance.query()), client.profile.query()]);
      expect(profile).toEqual({ status: "fulfilled", value: "alice" });
      const error = (balance as PromiseFulfilledResult<TRPCClientError<Router>>).value;
      expect([jwtErrorCode(error), jwtErrorAction(error), error.data?.httpStatus]).toEqual(["STEP_UP_REQUIRED", "step-up", 401]);
      expect(error.data).toMatchObject({ acrValues: "urn:mfa", maxAge: 600 });
      expect(spy).toHaveBeenCalledTimes(1);
      expect(store.getAuthToken()).toBe(before); // the session is left as it was
      expect(hits.balance).toBe(1);
      hits.balance = 0;
    }
  });

  it("a call refused again after its step-up fails, without a second step-up", async () => {
    const { client, spy } = await session(() => async () => undefined); // "done", but the token is still weak
    expect(jwtErrorCode(await refusalOf(client.balance.query()))).toBe("STEP_UP_REQUIRED");
    expect(spy).toHaveBeenCalledTimes(1);
    expect(hits.balance).toBe(2);
  });

  it("calls of one batch refused with different challenges: one step-up whose challenge one login meets for all", async () => {
    const { client, spy, requests } = await session(firstListed);
    await expect(Promise.all([client.transfer.mutate(), client.wipe.mutate()])).resolves.toEqual(["sent", "wiped"]);
    // urn:hwk is the level both accept; 300 s the shorter freshness.
    expect(spy.mock.calls).toEqual([[{ acrValues: "urn:hwk", maxAge: 300 }]]);
    expect(requests).toEqual(["/transfer,wipe", "/transfer,wipe"]);
  });

  it("needs no one login meets: the call left out is refused again and gets a step-up of its own; never more than one per need", async () => {
    const { client, spy, requests } = await session(firstListed);
    await expect(Promise.all([client.payout.mutate(), client.wipe.mutate()])).resolves.toEqual(["paid", "wiped"]);
    expect(spy.mock.calls).toEqual([[{ acrValues: "urn:mfa", maxAge: 600 }], [{ acrValues: "urn:hwk", maxAge: 300 }]]);
    expect(requests).toEqual(["/payout,wipe", "/payout,wipe", "/wipe"]);

    // A step-up that changes nothing: each need is asked for once, then its call fails.
    const weak = await session(() => async () => undefined);
    const results = await Promise.allSettled([refusalOf(weak.client.payout.mutate()), refusalOf(weak.client.wipe.mutate())]);
    expect(results.map((result) => jwtErrorCode((result as PromiseFulfilledResult<unknown>).value))).toEqual(["STEP_UP_REQUIRED", "STEP_UP_REQUIRED"]);
    expect(weak.spy.mock.calls).toEqual([[{ acrValues: "urn:mfa", maxAge: 600 }], [{ acrValues: "urn:hwk", maxAge: 300 }]]);
    expect(weak.requests).toEqual(["/payout,wipe", "/payout,wipe", "/wipe"]);
  });

  it("a call sent before a step-up completed and refused after it is sent again without another", async () => {
    let stepped: () => void = () => undefined;
    const afterStepUp = new Promise<void>((resolve) => (stepped = resolve));
    const { client, spy } = await session((store) => async () => {
      store.setTokens({ authToken: await login("urn:mfa") });
      stepped();
    });
    // The payout (its own batch: a mutation) is sent with the weak token at once, and its refusal
    // is held back until the balance call's step-up has completed.
    holdBack = (path) => (path === "/payout" ? afterStepUp.then(() => new Promise((resolve) => setTimeout(resolve, 10))) : undefined);
    await expect(Promise.all([client.balance.query(), client.payout.mutate()])).resolves.toEqual([100, "paid"]);
    expect(spy).toHaveBeenCalledTimes(1);
    expect([hits.balance, hits.payout]).toEqual([2, 2]);
  });

  it("refreshLink beside it never refreshes on STEP_UP_REQUIRED", async () => {
    const refresh = vi.fn(async () => ({ authToken: await login("urn:mfa") }));
    const onLogout = vi.fn();
    const store = createTokenStore();
    const { client, spy } = await session(reauthenticate, [refreshLink({ store, refresh, onLogout })], store);
    await expect(client.balance.query()).resolves.toBe(100);
    expect([refresh.mock.calls.length, onLogout.mock.calls.length, spy.mock.calls.length]).toEqual([0, 0, 1]);
  });
});

describe("the refresh links and STEP_UP_REQUIRED", () => {
  // A terminal link standing in for a server that refuses every call for step-up.
  const refusing: TRPCLink<Router> = () => () => observable((observer) => observer.error(clientRefusal("STEP_UP_REQUIRED") as never));

  it("cookieRefreshLink and refreshLink pass it on untouched, without refreshing or logging out", async () => {
    const refresh = vi.fn(async () => ({ authToken: "never" }));
    const onLogout = vi.fn();
    const store = createTokenStore();
    store.setTokens({ authToken: await login("urn:pwd") });
    for (const link of [cookieRefreshLink<Router>({ refresh, onLogout }), refreshLink<Router>({ store, refresh, onLogout })]) {
      const client = createTRPCClient<Router>({ links: [link, refusing] });
      const error = await refusalOf(client.balance.query());
      expect([jwtErrorCode(error), jwtErrorAction(error)]).toEqual(["STEP_UP_REQUIRED", "step-up"]);
    }
    expect([refresh.mock.calls.length, onLogout.mock.calls.length]).toEqual([0, 0]);
  });
});

describe("options", () => {
  it("stepUp is required and must be a function; unknown options are named", () => {
    expect(() => stepUpLink({} as never)).toThrow(new JwtConfigError("stepUp", "must be a function that re-authenticates the user"));
    expect(() => stepUpLink({ stepUp: "yes" } as never)).toThrow(new JwtConfigError("stepUp", "must be a function that re-authenticates the user"));
    expect(() => stepUpLink({ stepUp: async () => undefined, stepup: 1 } as never)).toThrow(/stepup: is not a stepUpLink option/);
  });
});
