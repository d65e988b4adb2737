// The servers of `npm run bench:http` (and of bench/instructionsGuardWorkload.ts). Every server
// serves the same tRPC router: `profile`, whose input names the user whose profile is read; a
// token of another user is refused (403), a request without a valid token too (401), except on
// the public servers, which check nothing.
import type { IncomingMessage, ServerResponse } from "node:http";
import { initTRPC, TRPCError, type AnyRouter } from "@trpc/server";
import { fastifyTRPCPlugin } from "@trpc/server/adapters/fastify";
import { createHTTPServer } from "@trpc/server/adapters/standalone";
import fastifyJwt from "@fastify/jwt";
import { createVerifier } from "fast-jwt";
import Fastify from "fastify";
import { importSPKI, jwtVerify } from "jose";
import { z } from "zod";
import { AuthManager, createJwtContext, createJwtProcedures, memoryStore, type TokenStore } from "trpc-jwt";
import { redisStore } from "trpc-jwt/redis";
import { createClient } from "redis";
import { ISSUER, SERVER_KINDS, type ServerKind } from "./serverKinds.js";

/** What a server is made of: the way it checks tokens and its keys. */
export interface ServeOptions {
  readonly kind: ServerKind;
  readonly alg: "HS256" | "ES256";
  /** The HMAC secret, or the private key (PEM) for trpc-jwt. */
  readonly secret: string;
  /** ES256: the public key (PEM) for the peers. */
  readonly publicKey: string;
  /** For trpc-jwt-redis. */
  readonly redisUrl?: string | undefined;
  /**
   * trpc-jwt's procedure: `"one"` guard, `requireToken({ input: { sub: "id" } })` (the default),
   * as each peer has one middleware that authenticates and then checks `sub`; or `"two"`,
   * `authedProcedure` and then that `requireToken`, as the README writes it. The second guard
   * reuses the first's token; its cost is tRPC's for a middleware (copies of the call's options),
   * 57,000 instructions per call measured (bench/instructionsGuardWorkload.ts, HS256 repeated:
   * 241,000 against 184,000 for one guard; the public procedure 98,000).
   */
  readonly guards?: "one" | "two" | undefined;
}

const profileInput = z.object({ id: z.string() });
const BASE = "/trpc";

/** What the hand-written peers put in their context: the verified claims, or null. */
interface User {
  readonly sub: string;
}
// The checks trpc-jwt makes beyond the signature, issuer and expiry the libraries check.
const asUser = (payload: unknown): User | null => {
  const claims = payload as { sub?: unknown; type?: unknown } | null;
  return claims !== null && typeof claims === "object" && typeof claims.sub === "string" && claims.sub !== "" && claims.type === "auth"
    ? (claims as User)
    : null;
};
const bearer = (header: string | string[] | undefined): string | undefined =>
  typeof header === "string" && header.startsWith("Bearer ") ? header.slice(7) : undefined;

/**
 * The router of the public servers and of the hand-written peers: `user` is the context's verified
 * user. `"guarded"`: one middleware refuses a request without a user, the procedure one of another
 * user. `"middleware"`: the same middleware and procedure, checking nothing: what tRPC charges for
 * one middleware (it copies the call's options and context), which every guard pays, trpc-jwt's
 * `requireToken` and each peer's alike. `"public"`: no middleware.
 */
function peerRouter(mode: "public" | "middleware" | "guarded") {
  const t = initTRPC.context<{ user: User | null }>().create();
  const guarded = mode === "guarded";
  const procedure =
    mode === "public"
      ? t.procedure
      : t.procedure.use(({ ctx, next }) => {
          if (guarded && ctx.user === null) throw new TRPCError({ code: "UNAUTHORIZED" });
          return next({ ctx: { user: ctx.user } });
        });
  return t.router({
    profile: procedure.input(profileInput).query(({ ctx, input }) => {
      if (guarded && ctx.user?.sub !== input.id) throw new TRPCError({ code: "FORBIDDEN" });
      return { id: input.id };
    }),
  });
}

// A hand-written createContext: verifies the bearer token, if any, with `verify`.
function peerContext(verify: (token: string) => unknown) {
  return async ({ req }: { req: { headers: { authorization?: string | string[] | undefined } } }) => {
    const token = bearer(req.headers.authorization);
    if (token === undefined) return { user: null };
    try {
      return { user: asUser(await verify(token)) };
    } catch {
      return { user: null };
    }
  };
}

function trpcJwtApp(alg: "HS256" | "ES256", secret: string, store: TokenStore | undefined, guards: "one" | "two") {
  const auth = new AuthManager({ issuer: ISSUER, authType: alg, secret, ...(store === undefined ? {} : { store }) });
  const createContext = createJwtContext(auth);
  const t = initTRPC.context<typeof createContext>().create();
  const { authedProcedure, requireToken } = createJwtProcedures(t);
  const router = t.router({
    profile:
      guards === "one"
        ? t.procedure
            .input(profileInput)
            .use(requireToken({ input: { sub: "id" } }))
            .query(({ input }) => ({ id: input.id }))
        : authedProcedure
            .input(profileInput)
            .use(requireToken({ input: { sub: "id" } }))
            .query(({ input }) => ({ id: input.id })),
  });
  return { router, createContext };
}

/** A standalone server's router and createContext (not Fastify's). */
export interface App {
  readonly router: AnyRouter;
  readonly createContext: (opts: { req: IncomingMessage; res: ServerResponse }) => unknown;
}

/** The router and createContext of `options.kind` (any but the two on Fastify). */
export async function appOf(options: ServeOptions): Promise<App> {
  const { kind, alg, secret, publicKey, redisUrl, guards = "one" } = options;
  if (kind === "public" || kind === "public-middleware")
    return { router: peerRouter(kind === "public" ? "public" : "middleware"), createContext: () => ({ user: null }) };
  if (kind === "jose") {
    const key = alg === "HS256" ? new TextEncoder().encode(secret) : await importSPKI(publicKey, alg);
    const verify = (token: string) => jwtVerify(token, key, { algorithms: [alg], issuer: ISSUER }).then(({ payload }) => payload);
    return { router: peerRouter("guarded"), createContext: peerContext(verify) };
  }
  if (kind === "fast-jwt" || kind === "fast-jwt-cache") {
    const verify = createVerifier({ key: alg === "HS256" ? secret : publicKey, algorithms: [alg], allowedIss: ISSUER, cache: kind === "fast-jwt-cache" });
    return { router: peerRouter("guarded"), createContext: peerContext(verify) };
  }
  if (kind === "trpc-jwt") return trpcJwtApp(alg, secret, undefined, guards) as unknown as App;
  if (kind === "trpc-jwt-memory") return trpcJwtApp(alg, secret, memoryStore(), guards) as unknown as App;
  if (kind !== "trpc-jwt-redis") throw new Error(`no standalone app for ${kind}`);
  const client = createClient({ url: redisUrl as string });
  client.on("error", () => undefined);
  await client.connect();
  const app = trpcJwtApp(alg, secret, redisStore(client), guards) as unknown as App;
  // The revocation channel comes up (pub/sub), so tokens found unrevoked are remembered.
  await new Promise((resolve) => setTimeout(resolve, 200));
  return app;
}

// @fastify/jwt registered on `app`, and the peers' router with a createContext that verifies through it.
async function fastifyJwtApp(app: ReturnType<typeof Fastify>, alg: "HS256" | "ES256", secret: string, publicKey: string) {
  await app.register(fastifyJwt, {
    secret: alg === "HS256" ? secret : { public: publicKey },
    verify: { algorithms: [alg], allowedIss: ISSUER },
  });
  const createContext = async ({ req }: { req: { jwtVerify: () => Promise<unknown>; headers: Record<string, unknown> } }) => {
    if (req.headers["authorization"] === undefined) return { user: null };
    try {
      return { user: asUser(await req.jwtVerify()) };
    } catch {
      return { user: null };
    }
  };
  return { router: peerRouter("guarded"), createContext };
}

/**
 * Starts the server `options.kind` on a free loopback port and returns its URL; `close` stops it.
 */
export async function serve(options: ServeOptions): Promise<{ url: string; close: () => Promise<void> }> {
  const { kind, alg, secret, publicKey, guards = "one" } = options;
  if (!SERVER_KINDS.includes(kind)) throw new Error(`the server must be one of ${SERVER_KINDS.join(", ")}`);
  if (kind === "fastify-jwt" || kind === "trpc-jwt-fastify") {
    // @fastify/jwt, or trpc-jwt on the same Fastify server and tRPC adapter: the two differ only in how they check tokens.
    const app = Fastify({ logger: false });
    const trpcOptions = kind === "trpc-jwt-fastify" ? trpcJwtApp(alg, secret, undefined, guards) : await fastifyJwtApp(app, alg, secret, publicKey);
    await app.register(fastifyTRPCPlugin, { prefix: BASE, trpcOptions });
    return { url: await app.listen({ host: "127.0.0.1", port: 0 }), close: () => app.close() };
  }
  const { router, createContext } = await appOf(options);
  const server = createHTTPServer({ router, createContext, basePath: `${BASE}/` });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}`;
  return { url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
