// One server of `npm run bench:http`, in a process of its own (started by bench/http.ts, compiled
// as users run it: see bench/bundled.ts). Every server serves the same tRPC router: `profile`,
// whose input names the user whose profile is read; a token of another user is refused (403),
// a request without a valid token too (401), except on the public server, which checks nothing.
// It prints "listening on <url>" once it accepts connections, and answers the parent's "cpu"
// message with its process.cpuUsage(), so the CPU per request is the server's alone.
import { initTRPC, TRPCError } from "@trpc/server";
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

const kind = process.env["BENCH_HTTP_SERVER"] as ServerKind;
const alg = process.env["BENCH_HTTP_ALG"] as "HS256" | "ES256";
// The HMAC secret, or the private key (PEM) for trpc-jwt and the public key (PEM) for the peers.
const secret = process.env["BENCH_HTTP_SECRET"] as string;
const publicKey = process.env["BENCH_HTTP_PUBLIC_KEY"] as string;
const redisUrl = process.env["BENCH_HTTP_REDIS_URL"];
if (!SERVER_KINDS.includes(kind)) throw new Error(`BENCH_HTTP_SERVER must be one of ${SERVER_KINDS.join(", ")}`);

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

/** The router of the public server and of the hand-written peers: `verified` is the context's user. */
function peerRouter(guarded: boolean) {
  const t = initTRPC.context<{ user: User | null }>().create();
  const procedure = guarded
    ? t.procedure.use(({ ctx, next }) => {
        if (ctx.user === null) throw new TRPCError({ code: "UNAUTHORIZED" });
        return next({ ctx: { user: ctx.user } });
      })
    : t.procedure;
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

async function trpcJwtServer(store: TokenStore | undefined) {
  const auth = new AuthManager({ issuer: ISSUER, authType: alg, secret, ...(store === undefined ? {} : { store }) });
  const createContext = createJwtContext(auth);
  const t = initTRPC.context<typeof createContext>().create();
  const { authedProcedure, requireToken } = createJwtProcedures(t);
  const router = t.router({
    profile: authedProcedure
      .input(profileInput)
      .use(requireToken({ input: { sub: "id" } }))
      .query(({ input }) => ({ id: input.id })),
  });
  return createHTTPServer({ router, createContext, basePath: `${BASE}/` });
}

async function start(): Promise<string> {
  if (kind === "fastify-jwt") {
    const app = Fastify({ logger: false });
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
    await app.register(fastifyTRPCPlugin, { prefix: BASE, trpcOptions: { router: peerRouter(true), createContext } });
    return app.listen({ host: "127.0.0.1", port: 0 });
  }
  let server;
  if (kind === "public") server = createHTTPServer({ router: peerRouter(false), createContext: () => ({ user: null }), basePath: `${BASE}/` });
  else if (kind === "jose") {
    const key = alg === "HS256" ? new TextEncoder().encode(secret) : await importSPKI(publicKey, alg);
    const verify = (token: string) => jwtVerify(token, key, { algorithms: [alg], issuer: ISSUER }).then(({ payload }) => payload);
    server = createHTTPServer({ router: peerRouter(true), createContext: peerContext(verify), basePath: `${BASE}/` });
  } else if (kind === "fast-jwt" || kind === "fast-jwt-cache") {
    const verify = createVerifier({ key: alg === "HS256" ? secret : publicKey, algorithms: [alg], allowedIss: ISSUER, cache: kind === "fast-jwt-cache" });
    server = createHTTPServer({ router: peerRouter(true), createContext: peerContext(verify), basePath: `${BASE}/` });
  } else if (kind === "trpc-jwt") server = await trpcJwtServer(undefined);
  else if (kind === "trpc-jwt-memory") server = await trpcJwtServer(memoryStore());
  else {
    const client = createClient({ url: redisUrl as string });
    client.on("error", () => undefined);
    await client.connect();
    server = await trpcJwtServer(redisStore(client));
    // The revocation channel comes up (pub/sub), so tokens found unrevoked are remembered.
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  return `http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}`;
}

const url = await start();
process.on("message", (message) => {
  if (message === "cpu") process.send?.({ cpu: process.cpuUsage() });
});
process.on("disconnect", () => process.exit(0));
console.log(`listening on ${url}`);
