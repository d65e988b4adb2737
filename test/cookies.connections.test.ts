// Cookie sessions beyond plain HTTP calls: server-side calls built from { headers } alone
// (createCaller, as React Server Components and Server Actions do), and cookie-authenticated
// WebSocket and SSE connections, which cannot send a CSRF header and are checked by Origin.
import type { AddressInfo } from "node:net";
import { createTRPCClient, createWSClient, wsLink } from "@trpc/client";
import { initTRPC } from "@trpc/server";
import { createHTTPServer } from "@trpc/server/adapters/standalone";
import { applyWSSHandler } from "@trpc/server/adapters/ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import { AuthManager, createJwtContext, createJwtProcedures, JwtConfigError, jwtErrorFormatter } from "trpc-jwt";
import { cookiePair, createCookieApp } from "./helpers/cookieApp.js";
import { optionsFor } from "./helpers/keys.js";
import { rejectionOf } from "./helpers/rejection.js";

const auth = new AuthManager(optionsFor("HS256"));

describe("server-side calls from { headers } alone", () => {
  const { router, createContext } = createCookieApp(auth, { cookies: { secure: true } });

  it("authenticates createCaller by the cookie or the Authorization header, with no CSRF check (no method)", async () => {
    const { authToken } = await cookiePair(auth, "alice");
    const fromCookie = router.createCaller(createContext({ headers: new Headers({ cookie: `__Host-auth=${authToken.signed}` }) }));
    expect(await fromCookie.me()).toBe("alice");
    expect(await fromCookie.rename({ name: "x" })).toBe("alice:x");
    const bob = await cookiePair(auth, "bob");
    const fromHeader = router.createCaller(
      createContext({ headers: new Headers({ authorization: `Bearer ${bob.authToken.signed}`, cookie: `__Host-auth=${authToken.signed}` }) }),
    );
    expect(await fromHeader.me()).toBe("bob");
    const anonymous = router.createCaller(createContext({ headers: new Headers() }));
    expect(await rejectionOf(anonymous.me())).toMatchObject({ code: "UNAUTHORIZED", cause: { code: "TOKEN_MISSING" } });
  });

  it("cannot set cookies (a server component has no response): setTokens throws JwtConfigError", async () => {
    const caller = router.createCaller(createContext({ headers: new Headers() }));
    expect(await rejectionOf(caller.login({ sub: "alice" }))).toMatchObject({
      cause: expect.objectContaining({ constructor: JwtConfigError, option: "setTokens" }),
    });
    // The error names the method that was called.
    expect(await rejectionOf(caller.logout())).toMatchObject({ cause: expect.objectContaining({ constructor: JwtConfigError, option: "clearTokens" }) });
  });

  it("refuses something that is not a Headers object", () => {
    expect(() => createContext({ headers: {} as Headers })).toThrow(JwtConfigError);
  });

  it("ctx.jwt.setTokens without the cookies option throws JwtConfigError naming it", async () => {
    const { router: plain, createContext: plainContext } = createCookieApp(auth, {});
    const caller = plain.createCaller(plainContext({ req: new Request("http://localhost/"), resHeaders: new Headers() }));
    const error = await rejectionOf(caller.login({ sub: "alice" }));
    expect((error as { cause: unknown }).cause).toEqual(new JwtConfigError("cookies", "ctx.jwt.setTokens needs createJwtContext(auth, { cookies: {...} })"));
  });
});

describe("cookie-authenticated WebSocket and SSE connections: checked by Origin", () => {
  const createContext = createJwtContext(auth, { cookies: { secure: false, allowedOrigins: ["http://app.example.test"] } });
  const t = initTRPC.context<typeof createContext>().create({ errorFormatter: jwtErrorFormatter });
  const { authedProcedure } = createJwtProcedures(t);
  const router = t.router({
    me: authedProcedure.query(({ ctx }) => ctx.token.sub),
    feed: authedProcedure.subscription(async function* ({ ctx }) {
      yield ctx.token.sub;
    }),
  });
  const server = createHTTPServer({ router, createContext });
  const wss = new WebSocketServer({ server });
  const handler = applyWSSHandler({ wss, router, createContext });
  let port = 0;
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    handler.broadcastReconnectNotification();
    for (const socket of wss.clients) socket.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  async function overWebSocket(headers: Record<string, string>, connectionParams: Record<string, string> = {}) {
    const Socket = class extends WebSocket {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols, { headers });
      }
    };
    const client = createWSClient({ url: `ws://127.0.0.1:${port}`, WebSocket: Socket as never, connectionParams });
    try {
      return await createTRPCClient<typeof router>({ links: [wsLink({ client })] })
        .me.query()
        .catch((error: { data?: { jwtCode?: string } }) => error.data?.jwtCode);
    } finally {
      await client.close();
    }
  }

  it("accepts a WebSocket whose Origin is allowed or missing, refuses another (403 CSRF_MISMATCH), and lets connectionParams win over the cookie", async () => {
    const alice = (await cookiePair(auth, "alice")).authToken.signed;
    const bob = (await cookiePair(auth, "bob")).authToken.signed;
    expect(await overWebSocket({ cookie: `auth=${alice}`, origin: "http://app.example.test" })).toBe("alice");
    expect(await overWebSocket({ cookie: `auth=${alice}` })).toBe("alice");
    expect(await overWebSocket({ cookie: `auth=${alice}`, origin: "http://evil.example.test" })).toBe("CSRF_MISMATCH");
    expect(await overWebSocket({ cookie: `auth=${alice}`, origin: "http://evil.example.test" }, { token: bob })).toBe("bob");
  });

  it("checks an SSE subscription's Origin the same way; its refusal arrives as an error event", async () => {
    const alice = (await cookiePair(auth, "alice")).authToken.signed;
    expect(await readSse(`http://127.0.0.1:${port}`, { cookie: `auth=${alice}`, origin: "http://app.example.test" })).toContain('"alice"');
    expect(await readSse(`http://127.0.0.1:${port}`, { cookie: `auth=${alice}` })).toContain('"alice"');
    const refused = await readSse(`http://127.0.0.1:${port}`, { cookie: `auth=${alice}`, origin: "http://evil.example.test" });
    expect(refused).toContain("serialized-error");
    expect(refused).toContain("CSRF_MISMATCH");
    expect(refused).not.toContain(alice);
  });
});

describe("default allowed origin: the host the request was sent to", () => {
  it("accepts a same-host Origin on an SSE subscription and refuses another", async () => {
    const createContext = createJwtContext(auth, { cookies: { secure: false } });
    const t = initTRPC.context<typeof createContext>().create({ errorFormatter: jwtErrorFormatter });
    const { authedProcedure } = createJwtProcedures(t);
    const router = t.router({
      feed: authedProcedure.subscription(async function* ({ ctx }) {
        yield ctx.token.sub;
      }),
    });
    const server = createHTTPServer({ router, createContext });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const alice = (await cookiePair(auth, "alice")).authToken.signed;
    try {
      expect(await readSse(url, { cookie: `auth=${alice}`, origin: url })).toContain('"alice"');
      expect(await readSse(url, { cookie: `auth=${alice}`, origin: "http://localhost:1" })).toContain("CSRF_MISMATCH");
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

/** The text of a subscription's event stream up to its first value or error. */
async function readSse(url: string, headers: Record<string, string>): Promise<string> {
  const response = await fetch(`${url}/feed`, { headers: { accept: "text/event-stream", ...headers } });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  let text = "";
  while (!/serialized-error|"alice"/.test(text)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  await reader.cancel();
  return text;
}
