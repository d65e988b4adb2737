import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { initTRPC } from "@trpc/server";
import { createExpressMiddleware } from "@trpc/server/adapters/express";
import { fastifyTRPCPlugin } from "@trpc/server/adapters/fastify";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { createHTTPServer } from "@trpc/server/adapters/standalone";
import { octetInputParser } from "@trpc/server/http";
import express from "express";
import Fastify from "fastify";
import { z } from "zod";
import { type AuthManager, createJwtContext, createJwtProcedures, type JwtContextConfig, jwtErrorFormatter, type JwtToken } from "trpc-jwt";
import { forgeHmac, goodClaims } from "./forge.js";
import { listenOnLoopback } from "./httpServer.js";

/**
 * A pair of tokens sharing a random `csrf` claim, as `auth.login` makes them, signed by hand
 * with the suite's HS256 key (issuer Flask_PyJWT) and verified by `auth`: the cookie plumbing
 * is tested apart from the session logic.
 */
export async function cookiePair(auth: AuthManager, sub: string, csrf = randomBytes(18).toString("base64url"), authLifetime = 900) {
  const now = Math.floor(Date.now() / 1000);
  const sign = async (type: "auth" | "refresh", lifetime: number) =>
    auth.verifyToken(await forgeHmac({ header: { typ: "JWT" }, payload: goodClaims({ sub, type, csrf, jti: randomUUID(), iat: now, exp: now + lifetime }) }));
  return { authToken: await sign("auth", authLifetime), refreshToken: await sign("refresh", 3600) };
}

/** A router using cookie sessions: login, protected queries and mutations (JSON, form, octet), refresh, logout. */
export function createCookieApp(auth: AuthManager, config: JwtContextConfig = { cookies: { secure: true } }) {
  const createContext = createJwtContext(auth, config);
  const t = initTRPC.context<typeof createContext>().create({ errorFormatter: jwtErrorFormatter });
  const { authedProcedure, refreshProcedure } = createJwtProcedures(t);
  const router = t.router({
    hello: t.procedure.query(() => "hello"),
    login: t.procedure.input(z.object({ sub: z.string() })).mutation(async ({ ctx, input }) => {
      ctx.jwt.setTokens(await cookiePair(auth, input.sub));
      return { ok: true };
    }),
    me: authedProcedure.query(({ ctx }) => ctx.token.sub),
    rename: authedProcedure.input(z.object({ name: z.string() })).mutation(({ ctx, input }) => `${ctx.token.sub}:${input.name}`),
    upload: authedProcedure.input(z.instanceof(FormData)).mutation(({ ctx }) => `${ctx.token.sub}:form`),
    blob: authedProcedure.input(octetInputParser).mutation(({ ctx }) => `${ctx.token.sub}:octets`),
    refresh: refreshProcedure.mutation(async ({ ctx }) => {
      const csrf = ctx.token.claims.csrf as string;
      ctx.jwt.setTokens(await cookiePair(auth, ctx.token.sub, csrf));
      return { ok: true };
    }),
    logout: t.procedure.mutation(({ ctx }) => {
      ctx.jwt.clearTokens();
      return { ok: true };
    }),
    setBadPair: t.procedure.mutation(async ({ ctx }) => {
      const authToken: JwtToken = await auth.authToken("alice");
      ctx.jwt.setTokens({ authToken, refreshToken: await auth.refreshToken("alice") });
    }),
  });
  return { router, createContext };
}

export type CookieRouter = ReturnType<typeof createCookieApp>["router"];
export type Adapter = "fetch" | "standalone" | "express" | "fastify";

/** Serves the router on 127.0.0.1 through one adapter; `close()` stops it. */
export async function serveCookieApp(adapter: Adapter, app: ReturnType<typeof createCookieApp>) {
  const { router, createContext } = app;
  if (adapter === "fastify") {
    const fastify = Fastify();
    // Fastify refuses bodies it has no parser for; tRPC reads octet streams from the raw request.
    fastify.addContentTypeParser("application/octet-stream", (_request, _payload, done) => done(null));
    await fastify.register(fastifyTRPCPlugin, { prefix: "/trpc", trpcOptions: { router, createContext } });
    await fastify.listen({ port: 0, host: "127.0.0.1" });
    return { url: `http://127.0.0.1:${(fastify.server.address() as AddressInfo).port}`, close: () => fastify.close() };
  }
  const server =
    adapter === "standalone"
      ? createHTTPServer({ router, createContext, basePath: "/trpc/" })
      : adapter === "express"
        ? createServer(express().use("/trpc", createExpressMiddleware({ router, createContext })))
        : createServer((req, res) => {
            void toFetchRequest(req)
              .then((request) => fetchRequestHandler({ endpoint: "/trpc", router, createContext, req: request }))
              .then(async (response) => {
                const headers: Record<string, string | string[]> = Object.fromEntries(response.headers);
                const cookies = response.headers.getSetCookie();
                if (cookies.length > 0) headers["set-cookie"] = cookies;
                res.writeHead(response.status, headers).end(Buffer.from(await response.arrayBuffer()));
              });
          });
  return listenOnLoopback(server);
}

async function toFetchRequest(req: IncomingMessage): Promise<Request> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string);
  const body = req.method === "GET" || req.method === "HEAD" ? undefined : Buffer.concat(chunks);
  return new Request(`http://${req.headers.host}${req.url}`, { method: req.method ?? "GET", headers, body: body ?? null });
}
