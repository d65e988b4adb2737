// The same context and procedures through every adapter: fetch (in process), Node http, Express,
// Fastify and WebSocket, asserting HTTP statuses and codes, batches, and where tokens may come from.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createTRPCClient, createWSClient, wsLink, TRPCClientError } from "@trpc/client";
import { createExpressMiddleware } from "@trpc/server/adapters/express";
import { fastifyTRPCPlugin, type CreateFastifyContextOptions } from "@trpc/server/adapters/fastify";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { applyWSSHandler } from "@trpc/server/adapters/ws";
import express from "express";
import Fastify from "fastify";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import { AuthManager } from "trpc-jwt";
import { clientFor, startServer } from "./helpers/httpServer.js";
import { optionsFor } from "./helpers/keys.js";
import { rawGet } from "./helpers/rawRequest.js";
import { createTestApp, type TestRouter } from "./helpers/testApp.js";

const auth = new AuthManager(optionsFor("HS256"));
const { router, createContext } = createTestApp(auth);

function fetchTrpc(path: string, headers: Record<string, string> = {}) {
  return fetchRequestHandler({ endpoint: "/trpc", router, createContext, req: new Request(`http://localhost/trpc/${path}`, { headers }) });
}

describe("fetch adapter, in process", () => {
  it("answers 200 with a token, 401 without, 403 on a rule", async () => {
    const { signed } = await auth.authToken("alice");
    expect((await fetchTrpc("protectedRoute", { authorization: `Bearer ${signed}` })).status).toBe(200);
    const missing = await fetchTrpc("protectedRoute");
    expect(missing.status).toBe(401);
    expect((await missing.json()).error.json.data).toMatchObject({ code: "UNAUTHORIZED", httpStatus: 401, jwtCode: "TOKEN_MISSING" });
    const forbidden = await fetchTrpc("admin", { authorization: `Bearer ${signed}` });
    expect(forbidden.status).toBe(403);
    expect((await forbidden.json()).error.json.data).toMatchObject({ code: "FORBIDDEN", jwtCode: "SCOPE_MISMATCH" });
  });

  it("never lets a bad token break public procedures in the same batch", async () => {
    const response = await fetchTrpc("hello,protectedRoute,hello?batch=1&input={}", { authorization: "Bearer not.a.token" });
    const results = await response.json();
    expect(response.status).toBe(207);
    expect(results[0].result.data.json).toBe("hello");
    expect(results[1].error.json.data).toMatchObject({ httpStatus: 401, jwtCode: "TOKEN_INVALID" });
    expect(results[2].result.data.json).toBe("hello");
  });
});

describe("Node http (standalone adapter)", () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    server = await startServer({ router, createContext });
  });
  afterAll(() => server.close());

  it("refuses two Authorization headers, even when both carry valid tokens", async () => {
    const { signed } = await auth.authToken("alice");
    const one = await rawGet(server.url, "protectedRoute", [`Authorization: Bearer ${signed}`]);
    expect(one.status).toBe(200);
    const two = await rawGet(server.url, "protectedRoute", [`Authorization: Bearer ${signed}`, `authorization: Bearer ${signed}`]);
    expect(two.status).toBe(401);
    expect(two.body).toContain('"jwtCode":"TOKEN_INVALID"');
  });

  it("serves the typed client: values, and 401/403 with codes", async () => {
    const { signed } = await auth.authToken("alice");
    expect(await clientFor(server.url, { authorization: `Bearer ${signed}` }).user.query({ username: "alice" })).toBe("Hello, alice!");
    const error = (await clientFor(server.url, { authorization: `Bearer ${signed}` })
      .user.query({ username: "bob" })
      .catch((e: unknown) => e)) as TRPCClientError<TestRouter>;
    expect(error.data).toMatchObject({ httpStatus: 403, code: "FORBIDDEN", jwtCode: "CLAIMS_MISMATCH" });
  });
});

describe("Express adapter", () => {
  let url: string;
  let base: string;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const app = express();
    // Middlewares that edit the headers the app sees: trpc-jwt reads what they leave.
    app.use("/stripped/trpc", (req, _res, next) => {
      delete req.headers.authorization;
      next();
    });
    app.use("/session/trpc", (req, _res, next) => {
      const session = req.headers["x-session-token"];
      if (typeof session === "string") req.headers.authorization = `Bearer ${session}`;
      next();
    });
    for (const prefix of ["/trpc", "/stripped/trpc", "/session/trpc"]) app.use(prefix, createExpressMiddleware({ router, createContext }));
    const server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    url = `${base}/trpc`;
    close = () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
  });
  afterAll(() => close());

  it("guards procedures behind Express", async () => {
    const { signed } = await auth.authToken("alice", { admin: true });
    expect(await clientFor(url, { authorization: `Bearer ${signed}` }).admin.query()).toBe("admin ok");
    const error = (await clientFor(url)
      .admin.query()
      .catch((e: unknown) => e)) as TRPCClientError<TestRouter>;
    expect(error.data).toMatchObject({ httpStatus: 401, jwtCode: "TOKEN_MISSING" });
  });

  it("honours a middleware that strips Authorization", async () => {
    const { signed } = await auth.authToken("alice");
    const error = (await clientFor(`${base}/stripped/trpc`, { authorization: `Bearer ${signed}` })
      .protectedRoute.query()
      .catch((e: unknown) => e)) as TRPCClientError<TestRouter>;
    expect(error.data).toMatchObject({ httpStatus: 401, jwtCode: "TOKEN_MISSING" });
  });

  it("honours a middleware that sets Authorization", async () => {
    const { signed } = await auth.authToken("alice");
    expect(await clientFor(`${base}/session/trpc`, { "x-session-token": signed }).protectedRoute.query()).toBe("ok");
    // A forged session token the middleware passes on is verified like any other.
    const error = (await clientFor(`${base}/session/trpc`, { "x-session-token": "x.y.z" })
      .protectedRoute.query()
      .catch((e: unknown) => e)) as TRPCClientError<TestRouter>;
    expect(error.data).toMatchObject({ httpStatus: 401, jwtCode: "TOKEN_INVALID" });
  });

  it("still refuses two Authorization headers that the app left as Node picked them", async () => {
    const { signed } = await auth.authToken("alice");
    expect((await rawGet(url, "protectedRoute", [`Authorization: Bearer ${signed}`])).status).toBe(200);
    const two = await rawGet(url, "protectedRoute", [`Authorization: Bearer ${signed}`, `Authorization: Bearer ${signed}`]);
    expect(two.status).toBe(401);
    expect(two.body).toContain('"jwtCode":"TOKEN_INVALID"');
  });
});

describe("Fastify adapter", () => {
  let url: string;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const app = Fastify();
    // createJwtContext serves Fastify's createContext as it is: no adaptation by hand.
    await app.register(fastifyTRPCPlugin, { prefix: "/trpc", trpcOptions: { router, createContext } });
    await app.listen({ port: 0, host: "127.0.0.1" });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/trpc`;
    close = () => app.close();
  });
  afterAll(() => close());

  it("answers 200 with a token, 401 without, 403 on a rule, through the typed client", async () => {
    const { signed } = await auth.authToken("alice");
    expect(await clientFor(url, { authorization: `Bearer ${signed}` }).user.query({ username: "alice" })).toBe("Hello, alice!");
    const missing = (await clientFor(url)
      .protectedRoute.query()
      .catch((e: unknown) => e)) as TRPCClientError<TestRouter>;
    expect(missing.data).toMatchObject({ httpStatus: 401, jwtCode: "TOKEN_MISSING" });
    const forbidden = (await clientFor(url, { authorization: `Bearer ${signed}` })
      .admin.query()
      .catch((e: unknown) => e)) as TRPCClientError<TestRouter>;
    expect(forbidden.data).toMatchObject({ httpStatus: 403, jwtCode: "SCOPE_MISMATCH" });
  });

  it("reads cookies and refuses two Authorization headers", async () => {
    const { signed } = await auth.authToken("alice");
    expect((await rawGet(url, "requireAuthCookie", [`Cookie: theme=dark; auth_token=${signed}`])).status).toBe(200);
    const two = await rawGet(url, "protectedRoute", [`Authorization: Bearer ${signed}`, `Authorization: Bearer ${signed}`]);
    expect(two.status).toBe(401);
    expect(two.body).toContain('"jwtCode":"TOKEN_INVALID"');
  });
});

describe("connectionParams over HTTP are never read, on any adapter", () => {
  let standalone: Awaited<ReturnType<typeof startServer>>;
  let expressUrl: string;
  let fastifyUrl: string;
  const closers: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    standalone = await startServer({ router, createContext });
    closers.push(standalone.close);
    const app = express();
    app.use("/trpc", createExpressMiddleware({ router, createContext }));
    const server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    expressUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/trpc`;
    closers.push(() => new Promise((resolve) => server.close(() => resolve())));
    const fastify = Fastify();
    await fastify.register(fastifyTRPCPlugin, { prefix: "/trpc", trpcOptions: { router, createContext } });
    // The adaptation users wrote before Fastify was supported: Node's request, Fastify's reply.
    const viaRaw = (opts: CreateFastifyContextOptions) => createContext({ ...opts, req: opts.req.raw });
    await fastify.register(fastifyTRPCPlugin, { prefix: "/raw/trpc", trpcOptions: { router, createContext: viaRaw } });
    await fastify.listen({ port: 0, host: "127.0.0.1" });
    fastifyUrl = `http://127.0.0.1:${(fastify.server.address() as AddressInfo).port}/trpc`;
    closers.push(() => fastify.close());
  });
  afterAll(() => Promise.all(closers.map((close) => close())));

  // tRPC parses `?connectionParams=` on every HTTP adapter into info.connectionParams.
  const withParams = (signed: string) => `protectedRoute?connectionParams=${encodeURIComponent(JSON.stringify({ token: signed }))}`;

  it.each(["fetch", "standalone", "express", "fastify", "fastify, req.raw"] as const)(
    "%s: a token in the URL's connectionParams is ignored",
    async (adapter) => {
      const { signed } = await auth.authToken("alice");
      const urls = { standalone: standalone.url, express: expressUrl, fastify: fastifyUrl, "fastify, req.raw": fastifyUrl.replace(/\/trpc$/, "/raw/trpc") };
      const { status, body } =
        adapter === "fetch"
          ? await fetchTrpc(withParams(signed)).then(async (response) => ({ status: response.status, body: await response.text() }))
          : await rawGet(urls[adapter], withParams(signed), []);
      expect(status).toBe(401);
      expect(body).toContain('"jwtCode":"TOKEN_MISSING"');
    },
  );
});

describe("WebSocket adapter", () => {
  let wss: WebSocketServer;
  let url: string;
  let handler: ReturnType<typeof applyWSSHandler>;
  beforeAll(async () => {
    wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await new Promise<void>((resolve) => wss.once("listening", resolve));
    handler = applyWSSHandler({ wss, router, createContext });
    url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    handler.broadcastReconnectNotification();
    for (const socket of wss.clients) socket.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  });

  async function wsCall<T>(connectionParams: Record<string, string> | null, call: (client: ReturnType<typeof createTRPCClient<TestRouter>>) => Promise<T>) {
    const wsClient = createWSClient({ url, WebSocket: WebSocket as never, connectionParams });
    const client = createTRPCClient<TestRouter>({ links: [wsLink({ client: wsClient, transformer: superjson })] });
    try {
      return await call(client);
    } finally {
      await wsClient.close();
    }
  }

  it("reads the token from connectionParams", async () => {
    const { signed } = await auth.authToken("alice", { admin: true });
    expect(await wsCall({ token: signed }, (c) => c.admin.query())).toBe("admin ok");
    expect(await wsCall({ token: signed }, (c) => c.user.query({ username: "alice" }))).toBe("Hello, alice!");
  });

  it("refuses without a token, and with a bad one, with the same codes", async () => {
    const missing = (await wsCall(null, (c) => c.protectedRoute.query()).catch((e: unknown) => e)) as TRPCClientError<TestRouter>;
    expect(missing.data).toMatchObject({ code: "UNAUTHORIZED", jwtCode: "TOKEN_MISSING" });
    const bad = (await wsCall({ token: "x.y.z" }, (c) => c.protectedRoute.query()).catch((e: unknown) => e)) as TRPCClientError<TestRouter>;
    expect(bad.data).toMatchObject({ code: "UNAUTHORIZED", jwtCode: "TOKEN_INVALID" });
  });
});
