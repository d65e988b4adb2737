// Type tests for the client entry.
import { createWSClient } from "@trpc/client";
import { describe, expectTypeOf, it } from "vitest";
import {
  createTokenStore,
  JWT_ERROR_ACTIONS,
  jwtErrorAction,
  refreshLink,
  stepUpLink,
  wsConnectionParams,
  type StepUpLinkOptions,
  type JwtErrorAction,
  type JwtErrorCode,
  type TokenStore,
} from "trpc-jwt/client";

describe("client entry types", () => {
  it("jwtErrorAction returns one of five actions or undefined; the table is keyed by every code", () => {
    expectTypeOf(jwtErrorAction(new Error("x"))).toEqualTypeOf<JwtErrorAction | undefined>();
    expectTypeOf<JwtErrorAction>().toEqualTypeOf<"refresh" | "login" | "forbidden" | "retry-later" | "step-up">();
    expectTypeOf<keyof typeof JWT_ERROR_ACTIONS>().toEqualTypeOf<JwtErrorCode>();
    expectTypeOf(JWT_ERROR_ACTIONS.TOKEN_EXPIRED).toEqualTypeOf<"refresh">();
  });

  it("createTokenStore's store has subscribe; a hand-written TokenStore need not", () => {
    expectTypeOf(createTokenStore().subscribe).toEqualTypeOf<(listener: () => void) => () => void>();
    const minimal: TokenStore = { getAuthToken: () => undefined, getRefreshToken: () => undefined, setTokens: () => undefined, clear: () => undefined };
    refreshLink({ store: minimal, refresh: async () => ({ authToken: "a" }) });
  });

  it("stepUpLink's stepUp is given the challenge, typed", () => {
    stepUpLink({
      stepUp: async (challenge) => {
        expectTypeOf(challenge.acrValues).toEqualTypeOf<string | undefined>();
        expectTypeOf(challenge.amrValues).toEqualTypeOf<readonly string[] | undefined>();
        expectTypeOf(challenge.maxAge).toEqualTypeOf<number | undefined>();
      },
    });
    expectTypeOf<StepUpLinkOptions["stepUp"]>().returns.toEqualTypeOf<Promise<unknown>>();
    // @ts-expect-error stepUp is required
    stepUpLink({});
  });

  it("tRPC's WebSocket client fits refreshLink's webSocket and wsConnectionParams fits its connectionParams", () => {
    const store = createTokenStore();
    const wsClient = createWSClient({ url: "ws://127.0.0.1:1", lazy: { enabled: true, closeMs: 0 }, connectionParams: wsConnectionParams(store) });
    refreshLink({ store, refresh: async () => ({ authToken: "a" }), webSocket: wsClient });
    // @ts-expect-error not a WebSocket client
    refreshLink({ store, refresh: async () => ({ authToken: "a" }), webSocket: {} });
  });
});
