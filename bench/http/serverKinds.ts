/** The servers `npm run bench:http` compares, in the order it runs them. */
export const SERVER_KINDS = [
  "public",
  "public-middleware",
  "jose",
  "fast-jwt",
  "fast-jwt-cache",
  "fastify-jwt",
  "trpc-jwt",
  "trpc-jwt-memory",
  "trpc-jwt-redis",
  "trpc-jwt-fastify",
] as const;
export type ServerKind = (typeof SERVER_KINDS)[number];

/** How each server is named in the tables. */
export const SERVER_NAMES: Record<ServerKind, string> = {
  public: "public (no auth)",
  "public-middleware": "public + one pass-through middleware",
  jose: "jose, hand-written createContext",
  "fast-jwt": "fast-jwt, no cache",
  "fast-jwt-cache": "fast-jwt, cache",
  "fastify-jwt": "@fastify/jwt on Fastify",
  "trpc-jwt": "trpc-jwt, no store",
  "trpc-jwt-memory": "trpc-jwt, memoryStore()",
  "trpc-jwt-redis": "trpc-jwt, redisStore()",
  "trpc-jwt-fastify": "trpc-jwt on Fastify, no store",
};

/** The servers that check nothing: each must answer 200 to every request. */
export const UNGUARDED: readonly ServerKind[] = ["public", "public-middleware"];

/** The hand-written peers trpc-jwt is held to (issue 26: at most their CPU per request, every cell). */
export const PEERS: readonly ServerKind[] = ["jose", "fast-jwt", "fast-jwt-cache", "fastify-jwt"];

export const ISSUER = "bench";
