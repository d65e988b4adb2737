// The same context and procedures through every adapter: fetch (in process), Node http, Express
// and WebSocket, asserting HTTP statuses and codes, batches, and where tokens may come from.
import { createServer } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { createTRPCClient, createWSClient, wsLink, TRPCClientError } from "@trpc/client";
import { createExpressMiddleware } from "@trpc/server/adapters/express";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { applyWSSHandler } from "@trpc/server/adapters/ws";
import express from "express";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import { AuthManager } from "trpc-jwt";
import { clientFor, startServer } from "./helpers/httpServer.js";
import { optionsFor } from "./helpers/keys.js";
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

  it("ignores connectionParams sent over HTTP, where they travel in the URL", async () => {
    const { signed } = await auth.authToken("alice");
    const params = encodeURIComponent(JSON.stringify({ token: signed }));
    const response = await fetchTrpc(`protectedRoute?connectionParams=${params}`);
    expect(response.status).toBe(401);
    expect((await response.json()).error.json.data.jwtCode).toBe("TOKEN_MISSING");
  });
});

describe("Node http (standalone adapter)", () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    server = await startServer({ router, createContext });
  });
  afterAll(() => server.close());

  // A hand-written request: HTTP clients merge or refuse duplicated headers, a socket does not.
  function rawGet(path: string, headerLines: string[]): Promise<{ status: number; body: string }> {
    const { port } = new URL(server.url);
    return new Promise((resolve, reject) => {
      const socket = connect(Number(port), "127.0.0.1", () => {
        socket.write([`GET /${path} HTTP/1.1`, "Host: 127.0.0.1", "Connection: close", ...headerLines, "", ""].join("\r\n"));
      });
      let raw = "";
      socket.on("data", (chunk: Buffer) => (raw += chunk.toString()));
      socket.on("error", reject);
      socket.on("close", () => {
        const [head = "", body = ""] = raw.split("\r\n\r\n");
        resolve({ status: Number(head.split(" ")[1]), body });
      });
    });
  }

  it("refuses two Authorization headers, even when both carry valid tokens", async () => {
    const { signed } = await auth.authToken("alice");
    const one = await rawGet("protectedRoute", [`Authorization: Bearer ${signed}`]);
    expect(one.status).toBe(200);
    const two = await rawGet("protectedRoute", [`Authorization: Bearer ${signed}`, `authorization: Bearer ${signed}`]);
    expect(two.status).toBe(401);
    expect(two.body).toContain('"jwtCode":"TOKEN_INVALID"');
  });

  it("serves the typed client: values, and 401/403 with codes", async () => {
    const { signed } = await auth.authToken("alice");
    expect(await clientFor(server.url, { authorization: `Bearer ${signed}` }).user.query({ username: "alice" })).toBe("Hello, alice!");
    const error = (await clientFor(server.url, { authorization: `Bearer ${signed}` }).user.query({ username: "bob" }).catch((e: unknown) => e)) as TRPCClientError<TestRouter>;
    expect(error.data).toMatchObject({ httpStatus: 403, code: "FORBIDDEN", jwtCode: "CLAIMS_MISMATCH" });
  });
});

describe("Express adapter", () => {
  let url: string;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const app = express();
    app.use("/trpc", createExpressMiddleware({ router, createContext }));
    const server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/trpc`;
    close = () => new Promise((resolve) => server.close(() => resolve()));
  });
  afterAll(() => close());

  it("guards procedures behind Express", async () => {
    const { signed } = await auth.authToken("alice", { admin: true });
    expect(await clientFor(url, { authorization: `Bearer ${signed}` }).admin.query()).toBe("admin ok");
    const error = (await clientFor(url).admin.query().catch((e: unknown) => e)) as TRPCClientError<TestRouter>;
    expect(error.data).toMatchObject({ httpStatus: 401, jwtCode: "TOKEN_MISSING" });
  });
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
