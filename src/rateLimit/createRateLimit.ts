import type { TRPCMiddlewareFunction } from "@trpc/server";
import { base64url } from "jose";
import { JwtConfigError, refusal } from "../errors.js";
import { functionOf, objectOf, oneOf, optionNames, wholeNumber } from "../options/validate.js";
import { rateLimited } from "../refusals/rateLimitRefusal.js";
import { toTRPCError } from "../refusals/toTRPCError.js";
import type { TokenStore } from "../stores/TokenStore.js";
import { ipBucket } from "./ipAddress.js";
import { factsOf } from "./requestFacts.js";

/** What `auth.rateLimit`'s `key` function is given. */
export interface RateLimitKeyInput<TContext, TInput> {
  readonly ctx: TContext;
  /** The procedure's parsed input (use `.input()` before `.use()`). */
  readonly input: TInput;
  /**
   * The client's address (see `createJwtContext`'s `trustedProxies`); an IPv6 address as its
   * network, `/64` unless `ipv6Subnet` says otherwise (`2001:db8:1:2:0:0:0:0/64`); `undefined`
   * where none is known.
   */
  readonly ip: string | undefined;
  /** The procedure's path, e.g. `"auth.login"`. */
  readonly path: string;
}

/** Options of `auth.rateLimit`. */
export interface RateLimitOptions<TContext = unknown, TInput = unknown> {
  /** The bucket of a call, e.g. `({ ip, input }) => \`${ip}:${input.username}\``. Limiters with the same key, limit and window share it. */
  readonly key: (call: RateLimitKeyInput<TContext, TInput>) => string;
  /** Calls allowed per bucket in any `window`. */
  readonly limit: number;
  /** The window, in seconds (sliding: no `window` seconds ever hold more than `limit` calls of a bucket). */
  readonly window: number;
  /**
   * When the store cannot count: `"refuse"` (503 STORE_UNAVAILABLE; the default, and what a login
   * limiter must keep) or `"allow"` (the call goes on unthrottled).
   */
  readonly onStoreDown?: "allow" | "refuse" | undefined;
  /**
   * The prefix length (32 to 128) of the IPv6 network an IPv6 client's `ip` stands for: 64 by
   * default, as one subscriber holds at least a /64 and would otherwise get a bucket per address;
   * 56 or 48 for providers that hand out more; 128 for the full address.
   */
  readonly ipv6Subnet?: number | undefined;
}

const NAMES = optionNames<RateLimitOptions>({ key: true, limit: true, window: true, onStoreDown: true, ipv6Subnet: true });

/**
 * A rate-limiting middleware for `.use()`, typed where it is used (the procedure's context,
 * overrides and input are inferred, never written).
 */
export type RateLimitMiddleware<TContext, TMeta, TContextOverrides, TInput> = TRPCMiddlewareFunction<TContext, TMeta, TContextOverrides, object, TInput>;

/**
 * `auth.rateLimit`'s middleware: one atomic count in the store per call (one round trip on
 * Redis), 429 `RATE_LIMITED` with `Retry-After` (HTTP) and `retryAfter` (error data, every
 * transport) over the limit. Options checked now (JwtConfigError naming the option). Module-internal.
 *
 * @example
 * ```ts
 * const limit = createRateLimit(store, { key: ({ ip }) => ip ?? "unknown", limit: 5, window: 60 });
 * ```
 */
export function createRateLimit<TContext, TMeta, TContextOverrides, TInput>(
  store: TokenStore | undefined,
  options: RateLimitOptions<TContext & TContextOverrides, TInput>,
): RateLimitMiddleware<TContext, TMeta, TContextOverrides, TInput> {
  objectOf(options, "options", { names: NAMES, kind: "a rateLimit option" });
  const key = functionOf(options.key, "key");
  if (key === undefined) throw new JwtConfigError("key", "must be a function of the call returning its bucket");
  const limit = wholeNumber(options.limit, { min: 1, max: 1_000_000, fallback: 0 }, "limit");
  const windowMs = wholeNumber(options.window, { min: 1, max: 86_400 * 366, fallback: 0 }, "window") * 1000;
  const ipv6Subnet = wholeNumber(options.ipv6Subnet, { min: 32, max: 128, fallback: 64 }, "ipv6Subnet");
  const onStoreDown = oneOf(options.onStoreDown ?? "refuse", ["refuse", "allow"] as const, "onStoreDown");
  const hit = store?.hitRateLimit?.bind(store);
  if (hit === undefined) throw new JwtConfigError("store", "rateLimit() needs a store that counts (memoryStore() or redisStore(client))");
  const middleware = async ({ ctx, input, path, next }: { ctx: TContext & TContextOverrides; input: TInput; path: string; next: () => Promise<unknown> }) => {
    const facts = factsOf((ctx as { jwt?: unknown } | undefined)?.jwt);
    const bucket = key({ ctx, input, ip: facts?.ip === undefined ? undefined : ipBucket(facts.ip, ipv6Subnet), path });
    if (typeof bucket !== "string") throw new JwtConfigError("key", "must return a string");
    // Hashed: a bucket may hold a username or an address, which stay out of the store's keys.
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${limit}/${windowMs}/${bucket}`));
    const id = base64url.encode(new Uint8Array(digest));
    const counted = await hit(id, limit, windowMs).catch(() => undefined);
    if (counted === undefined) {
      if (onStoreDown === "allow") return next();
      throw toTRPCError(refusal("STORE_UNAVAILABLE"));
    }
    if (counted.allowed) return next();
    const retryAfter = Math.max(1, Math.ceil(counted.retryAfterMs / 1000));
    facts?.setHeader("retry-after", String(retryAfter));
    throw toTRPCError(rateLimited(retryAfter));
  };
  return middleware as unknown as RateLimitMiddleware<TContext, TMeta, TContextOverrides, TInput>;
}
