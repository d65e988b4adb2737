import { createClient } from "redis";
import { expectTypeOf, test } from "vitest";
import { AuthManager, memoryStore, type JwtToken, type TokenPair, type TokenStore } from "trpc-jwt";
import { redisStore, type RedisTokenStore } from "trpc-jwt/redis";

declare const auth: AuthManager;
declare const token: JwtToken;

test("session methods take and return what the contract names", () => {
  expectTypeOf(auth.login("alice")).toEqualTypeOf<Promise<TokenPair>>();
  expectTypeOf(auth.login("alice", { admin: true }, { org: "acme" })).toEqualTypeOf<Promise<TokenPair>>();
  expectTypeOf<TokenPair["authToken"]>().toEqualTypeOf<JwtToken>();
  expectTypeOf(auth.rotate("raw")).toEqualTypeOf<Promise<TokenPair>>();
  expectTypeOf(auth.rotate(token, { scope: "read", claims: { org: "acme" } })).toEqualTypeOf<Promise<TokenPair>>();
  expectTypeOf(auth.revoke(token)).toEqualTypeOf<Promise<void>>();
  expectTypeOf(auth.revokeSession("sid")).toEqualTypeOf<Promise<void>>();
  expectTypeOf(auth.revokeSubject("alice")).toEqualTypeOf<Promise<void>>();
  // @ts-expect-error a number is not a token
  void auth.rotate(42);
  // @ts-expect-error update takes scope and claims only
  void auth.rotate(token, { sub: "bob" });
});

test("stores: memoryStore and redisStore(createClient()) are TokenStores; the option is typed", () => {
  expectTypeOf(memoryStore()).toEqualTypeOf<TokenStore>();
  expectTypeOf(redisStore(createClient())).toEqualTypeOf<RedisTokenStore>();
  expectTypeOf<RedisTokenStore>().toMatchTypeOf<TokenStore>();
  new AuthManager({ issuer: "i", authType: "HS256", secret: "s", store: memoryStore(), rotationGrace: 5 });
  // @ts-expect-error a store is a TokenStore, not a URL
  new AuthManager({ issuer: "i", authType: "HS256", secret: "s", store: "redis://localhost" });
  // @ts-expect-error redisStore needs a node-redis client
  redisStore({});
});
