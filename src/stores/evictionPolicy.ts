import { JwtConfigError } from "../errors.js";

/** Sends one command to Redis, bounded by the store's timeout. */
type Send = <T>(args: string[]) => Promise<T>;

/**
 * What `redisStore` says where Redis refuses `CONFIG GET` (managed services often do): it cannot
 * tell whether revocations can be evicted. Printed once per store.
 */
export const EVICTION_UNKNOWN_WARNING =
  "trpc-jwt redisStore: Redis refused CONFIG GET maxmemory-policy, so the store cannot check that revocations are never evicted; make sure the policy is noeviction (see docs/sessions.md, Redis settings)";

/**
 * The check `redisStore` makes before its first command: every key it writes has an expiry, so
 * any `maxmemory-policy` but `noeviction` (`volatile-*` as well as `allkeys-*`) may evict a
 * revocation before the tokens it concerns expire, and the revoked tokens would be accepted
 * again. Such a Redis is refused (`JwtConfigError("store")`, for good) unless `allowEviction`.
 * A failure to ask (Redis unreachable) is not remembered: the next command asks again.
 */
export function evictionCheck(send: Send, allowEviction: boolean): () => Promise<void> | undefined {
  let passed = allowEviction;
  let pending: Promise<void> | undefined;
  const check = async () => {
    const reply = await send<unknown>(["CONFIG", "GET", "maxmemory-policy"]).catch((error: unknown) => {
      // An error reply (ERR unknown command, NOPERM) is a refusal (no policy known); anything else is an outage.
      if (!(error instanceof Error) || !/^(ERR|NOPERM)/.test(error.message)) throw error;
    });
    const policy = policyOf(reply);
    if (policy === undefined) console.warn(EVICTION_UNKNOWN_WARNING);
    else if (policy !== "noeviction") {
      throw new JwtConfigError(
        "store",
        `Redis maxmemory-policy is ${policy}, which can evict revocations and sessions before their tokens expire (revoked tokens would be accepted again): set maxmemory-policy noeviction, or pass allowEviction: true`,
      );
    }
  };
  // undefined once passed: the commands after it are sent in the same tick, as before.
  return () => {
    if (passed) return undefined;
    pending ??= check().then(
      () => void (passed = true),
      (error: unknown) => {
        if (!(error instanceof JwtConfigError)) pending = undefined;
        throw error;
      },
    );
    return pending;
  };
}

// RESP2 answers ["maxmemory-policy", "volatile-lru"], RESP3 a map.
function policyOf(reply: unknown): string | undefined {
  if (Array.isArray(reply)) return typeof reply[1] === "string" ? reply[1] : undefined;
  if (reply instanceof Map) return String(reply.get("maxmemory-policy"));
  if (typeof reply === "object" && reply !== null) return String((reply as Record<string, unknown>)["maxmemory-policy"]);
  return undefined;
}
