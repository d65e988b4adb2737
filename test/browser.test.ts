// The browser example (example-client/browser/, served by the example server) driven in headless
// Chromium: a cookie session whose tokens scripts never see, CSRF refusing another origin's
// posts, a transparent refresh, two tabs refreshing at once, and logout.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startExampleServer } from "../example-server/server.js";
import { chromiumPath, launchChromium } from "./helpers/chromium.js";

interface Demo {
  login(username: string, password: string): Promise<unknown>;
  me(): Promise<string>;
  notes(): Promise<string[]>;
  addNote(text: string): Promise<unknown>;
  uploadNote(text: string): Promise<unknown>;
  blobNote(text: string): Promise<unknown>;
  logout(): Promise<unknown>;
}
declare const demo: Demo;

const executablePath = chromiumPath();

describe.runIf(executablePath !== undefined)("the browser example in headless Chromium", { timeout: 30_000 }, () => {
  const serverLog: string[] = [];
  let server: Awaited<ReturnType<typeof startExampleServer>>;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let context: BrowserContext;
  let page: Page;
  let attacker: Server;
  let attackerUrl: string;
  let refreshes = 0;

  beforeAll(async () => {
    server = await startExampleServer(0, (line) => serverLog.push(line));
    // Another origin on the same machine: 127.0.0.1 on another port is same-site, so the
    // browser sends the SameSite=Lax cookies with its posts; only the CSRF check stops them.
    attacker = createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>elsewhere</title>"));
    await new Promise<void>((resolve) => attacker.listen(0, "127.0.0.1", resolve));
    attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`;
    browser = await launchChromium(executablePath as string);
    context = browser.context;
    context.on("request", (request) => {
      if (new URL(request.url()).pathname === "/browser/trpc/refresh") refreshes++;
    });
    page = await context.newPage();
    await page.goto(`${server.url}/browser/`);
    await page.waitForFunction(() => typeof (globalThis as { demo?: unknown }).demo === "object");
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (attacker ? attacker.close(() => resolve()) : resolve()));
    await server?.stop();
  });

  const tokenCookies = async () => (await context.cookies(server.url)).filter((cookie) => cookie.name === "auth" || cookie.name === "refresh");
  // The demo's auth token lives 2 s: wait until the browser has dropped its cookie.
  async function authCookieExpired(): Promise<void> {
    while ((await context.cookies(server.url)).some((cookie) => cookie.name === "auth")) await new Promise((resolve) => setTimeout(resolve, 100));
  }

  it("after login, document.cookie holds the csrf cookie and no token; the token cookies are HttpOnly", async () => {
    await page.evaluate(() => demo.login("alice", "wonderland"));
    const documentCookie = await page.evaluate(() => document.cookie);
    expect(documentCookie).toMatch(/(^|; )csrf=[\w-]{16,}/);
    expect(documentCookie).toMatch(/(^|; )auth-exp=\d+\./);
    expect(documentCookie).not.toMatch(/(^|; )(auth|refresh)=/);
    expect(documentCookie).not.toContain("eyJ");
    const tokens = await tokenCookies();
    expect(tokens.map((cookie) => [cookie.name, cookie.httpOnly, cookie.sameSite, cookie.path])).toEqual([
      ["auth", true, "Lax", "/"],
      ["refresh", true, "Lax", "/"],
    ]);
  });

  it("protected calls work: a query and mutations with JSON, multipart and octet-stream bodies", async () => {
    expect(await page.evaluate(() => demo.me())).toBe("alice");
    await page.evaluate(() => demo.addNote("json"));
    await page.evaluate(() => demo.uploadNote("form"));
    await page.evaluate(() => demo.blobNote("octets"));
    expect(await page.evaluate(() => demo.notes())).toEqual(["json", "form", "octets"]);
  });

  /**
   * The forged posts below, from a page of another origin, and what they got. Their cookies must
   * include a live auth cookie for the CSRF check to be what refuses them: `within` says whether
   * the auth cookie they started with outlived them (the demo's lives 2 s, which a loaded machine
   * can take).
   */
  async function forgePosts() {
    await authCookieExpired();
    expect(await page.evaluate(() => demo.me())).toBe("alice"); // a fresh auth cookie: 2 s from now
    const authExpires = (await context.cookies(server.url)).find((cookie) => cookie.name === "auth")?.expires ?? 0;
    const logFrom = serverLog.length;
    const other = await context.newPage();
    await other.goto(attackerUrl);
    const outcomes = await other.evaluate(async (api) => {
      const attempt = (path: string, init: RequestInit) =>
        fetch(`${api}/browser/trpc/${path}`, { method: "POST", credentials: "include", ...init }).then(
          (response) => `${response.type} ${response.status}`,
          (error: unknown) => `blocked: ${String(error)}`,
        );
      const form = new FormData();
      form.set("text", "forged form");
      return {
        jsonCors: await attempt("addNote", { headers: { "content-type": "application/json" }, body: JSON.stringify({ text: "forged json" }) }),
        jsonNoCors: await attempt("addNote", {
          mode: "no-cors",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ text: "forged json" }),
        }),
        formNoCors: await attempt("uploadNote", { mode: "no-cors", body: form }),
        formCors: await attempt("uploadNote", { body: form }),
        octetNoCors: await attempt("blobNote", { mode: "no-cors", body: new Blob(["forged octets"], { type: "application/octet-stream" }) }),
        octetCors: await attempt("blobNote", { headers: { "content-type": "application/octet-stream" }, body: new Blob(["forged octets"]) }),
      };
    }, server.url);
    // An HTML form posting across origins, as a cross-site page would, into a frame.
    await other.setContent(
      `<iframe name="sink"></iframe><form target="sink" method="post" enctype="multipart/form-data" action="${server.url}/browser/trpc/uploadNote"><input name="text" value="forged html form"></form>`,
    );
    await Promise.all([other.waitForEvent("requestfinished"), other.evaluate(() => document.querySelector("form")?.submit())]);
    await other.close();
    return { outcomes, log: serverLog.slice(logFrom), within: Date.now() / 1000 < authExpires };
  }

  it("a page from another origin cannot perform a mutation with the user's cookies (JSON, multipart and octet-stream posts)", async () => {
    // Forged again (at most twice more) only when the auth cookie expired before the last post:
    // then some posts carried no auth cookie, and a refusal of theirs says nothing about CSRF.
    let forged = await forgePosts();
    for (let attempt = 1; !forged.within && attempt < 3; attempt++) forged = await forgePosts();
    expect(forged.within).toBe(true);
    for (const outcome of Object.values(forged.outcomes)) expect(outcome).not.toMatch(/^(basic|cors) 2/);
    // Nothing went through: the notes are as the user left them.
    expect(await page.evaluate(() => demo.notes())).toEqual(["json", "form", "octets"]);
    // The posts that reached the server with the cookies were refused by the CSRF check.
    expect(forged.log.filter((line) => line === "browser: uploadNote refused: CSRF_MISMATCH").length).toBeGreaterThanOrEqual(2);
  });

  it("refreshes an expired auth cookie transparently", async () => {
    const before = refreshes;
    await authCookieExpired();
    expect(await page.evaluate(() => demo.me())).toBe("alice");
    expect(refreshes - before).toBe(1);
    expect((await tokenCookies()).map((cookie) => cookie.name)).toEqual(["auth", "refresh"]);
  });

  it("two tabs whose auth cookie expired at the same moment both carry on: one refresh, no reuse detected", async () => {
    const second = await context.newPage();
    await second.goto(`${server.url}/browser/`);
    await second.waitForFunction(() => typeof (globalThis as { demo?: unknown }).demo === "object");
    await authCookieExpired();
    const before = refreshes;
    const [one, two] = await Promise.all([page.evaluate(() => demo.me()), second.evaluate(() => demo.me())]);
    expect([one, two]).toEqual(["alice", "alice"]);
    expect(refreshes - before).toBe(1);
    // The session is intact: reuse would have revoked it.
    expect(await second.evaluate(() => demo.notes())).toEqual(["json", "form", "octets"]);
    expect(serverLog.filter((line) => /TOKEN_REUSED|TOKEN_REVOKED/.test(line))).toEqual([]);
    await second.close();
  });

  it("logout leaves no token cookie (nor the csrf cookie)", async () => {
    await page.evaluate(() => demo.logout());
    expect(await tokenCookies()).toEqual([]);
    expect(await page.evaluate(() => document.cookie)).toBe("");
    await expect(page.evaluate(() => demo.me())).rejects.toThrow();
  });
});
