// example-next/ (a Next.js App Router app on the packed trpc-jwt) built with `next build`,
// served by `next start` on 127.0.0.1 and driven in headless Chromium: login, the user read in a
// Server Component, a Server Action, a guarded call from a client component, the refresh of an
// expired auth cookie, a cross-site POST refused by the CSRF check, and logout.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumPath, launchChromium } from "../helpers/chromium.js";
import { freePort } from "../helpers/redisServer.js";

const appDir = fileURLToPath(new URL("../../example-next/", import.meta.url));
const nextBin = `${appDir}node_modules/next/dist/bin/next`;
const AUTH_SECONDS = 5; // the auth token's lifetime: long enough for the steps after login, short to wait for
// Nothing phones home (telemetry off); plain http on loopback, so the cookies lose `Secure`.
const env = {
  ...process.env,
  NEXT_TELEMETRY_DISABLED: "1",
  COOKIE_SECURE: "false",
  JWT_AUTHMAXAGE: String(AUTH_SECONDS),
  JWT_SECRET: randomBytes(32).toString("base64url"),
};

/** Runs a command to its end; rejects with its output when it fails. */
async function run(args: string[]): Promise<void> {
  const child = spawn(process.execPath, args, { cwd: appDir, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const [code] = (await once(child, "exit")) as [number | null];
  if (code !== 0) throw new Error(`${args.join(" ")} failed (${code}):\n${output}`);
}

/** `next start` on a free loopback port, in its own process group (stopped by its pid). */
async function startNext(log: string[]): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [nextBin, "start", "--hostname", "127.0.0.1", "--port", String(port)], {
    cwd: appDir,
    env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  for (const stream of [child.stdout, child.stderr]) stream?.on("data", (chunk: Buffer) => log.push(...chunk.toString().split("\n").filter(Boolean)));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.pid === undefined) return;
    const exited = once(child, "exit");
    process.kill(-child.pid, "SIGTERM");
    const timer = setTimeout(() => child.pid !== undefined && process.kill(-child.pid, "SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  };
  for (const deadline = Date.now() + 60_000; ;) {
    if (child.exitCode !== null) throw new Error(`next start exited: ${log.join("\n")}`);
    if (
      (await fetch(`${url}/`).then(
        (response) => response.status,
        () => 0,
      )) === 200
    )
      return { url, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`next start did not answer: ${log.join("\n")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * `npm ci` installs trpc-jwt (`file:..`) with the dependencies and peers example-next's lock
 * recorded, not those of today's package.json: when they differ the lock must be renewed.
 */
function lockOutOfStep(): string | undefined {
  const read = (path: string) => JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  const sorted = (value: unknown): unknown =>
    typeof value === "object" && value !== null
      ? Object.fromEntries(
          Object.entries(value)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([key, inner]) => [key, sorted(inner)]),
        )
      : value;
  const pick = ({ dependencies, peerDependencies, peerDependenciesMeta }: Record<string, unknown>) =>
    JSON.stringify(sorted({ dependencies, peerDependencies, peerDependenciesMeta }));
  const locked = (read(`${appDir}package-lock.json`)["packages"] as Record<string, Record<string, unknown>>)["node_modules/trpc-jwt"] ?? {};
  const current = read(`${appDir}../package.json`);
  if (pick(locked) === pick(current)) return undefined;
  return `example-next/package-lock.json records other dependencies of trpc-jwt than package.json has: run \`npm install\` in example-next and commit its package-lock.json (locked ${pick(locked)}, now ${pick(current)})`;
}

const executablePath = chromiumPath();

describe.runIf(executablePath !== undefined)("example-next built and driven in headless Chromium", () => {
  const serverLog: string[] = [];
  let server: Awaited<ReturnType<typeof startNext>> | undefined;
  let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
  let attacker: Server | undefined;
  let context: BrowserContext;
  let page: Page;
  let refreshes = 0;
  const offLoopback: string[] = [];

  beforeAll(async () => {
    const stale = lockOutOfStep();
    if (stale !== undefined) throw new Error(stale);
    await run([nextBin, "build"]);
    server = await startNext(serverLog);
    browser = await launchChromium(executablePath as string);
    context = browser.context;
    context.on("request", (request) => {
      const { hostname, pathname } = new URL(request.url());
      if (pathname === "/trpc/auth.refresh") refreshes++;
      if (hostname !== "127.0.0.1") offLoopback.push(request.url());
    });
    page = await context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (attacker ? attacker.close(() => resolve()) : resolve()));
    await server?.stop();
  });

  const url = () => server?.url ?? "";
  const cookieNames = async () => (await context.cookies(url())).map((cookie) => cookie.name).sort();

  it("logs in through the typed client; the Server Component reads the user from headers()", async () => {
    await page.goto(`${url()}/`);
    await expect(page.locator("#signed-out").textContent()).resolves.toBe("Not signed in.");
    await page.click("#login button");
    await page.waitForSelector("#server-user");
    expect(await page.textContent("#server-user")).toBe("Signed in as alice (read in a Server Component).");
    // The tokens are HttpOnly: the page's scripts see only the csrf value and the expiry hint.
    expect(await cookieNames()).toEqual(["auth", "auth-exp", "csrf", "refresh"]);
    expect(
      (await context.cookies(url()))
        .filter((cookie) => cookie.httpOnly)
        .map((cookie) => cookie.name)
        .sort(),
    ).toEqual(["auth", "refresh"]);
    expect(await page.evaluate(() => document.cookie)).not.toContain("eyJ");
    // A fresh load renders the user on the server too (no client call involved).
    await page.reload();
    expect(await page.textContent("#server-user")).toBe("Signed in as alice (read in a Server Component).");
  });

  it("runs a Server Action through the guarded procedure, authenticated by the cookie", async () => {
    const action = page.waitForRequest((request) => request.method() === "POST" && request.headers()["next-action"] !== undefined);
    await page.fill("input[name=text]", "from a Server Action");
    await page.click("#add-note");
    await action;
    await page.waitForSelector("#notes li");
    expect(await page.locator("#notes li").allTextContents()).toEqual(["from a Server Action"]);
  });

  it("calls a guarded procedure from a client component with the typed client", async () => {
    await page.click("#whoami");
    await expect.poll(() => page.textContent("#whoami-answer")).toBe("The API says: alice");
  });

  it("refreshes an expired auth cookie once, then the call goes through", async () => {
    await page.fill("input[name=text]", "");
    // The browser drops the auth cookie when its Max-Age runs out.
    await expect.poll(cookieNames, { timeout: (AUTH_SECONDS + 5) * 1000, interval: 200 }).not.toContain("auth");
    await page.reload(); // the Server Component now sees no auth cookie
    expect(await page.textContent("#server-user")).toBe("Session expired: call the API to refresh it.");
    await page.evaluate(() => {
      (document.getElementById("whoami-answer") as HTMLElement).textContent = "";
    });
    const before = refreshes;
    await page.click("#whoami");
    await expect.poll(() => page.textContent("#whoami-answer")).toBe("The API says: alice");
    expect(refreshes - before).toBe(1);
    expect(await cookieNames()).toContain("auth");
    await expect.poll(() => page.textContent("#server-user")).toBe("Signed in as alice (read in a Server Component).");
  });

  it("refuses a cross-site POST that carries the user's cookies (403 CSRF_MISMATCH)", async () => {
    // 127.0.0.1 on another port is the same site: the browser sends the SameSite=Lax cookies.
    attacker = createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>elsewhere</title>"));
    attacker.listen(0, "127.0.0.1");
    await once(attacker, "listening");
    const other = await context.newPage();
    await other.goto(`http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`);
    // A multipart post: what a cross-site HTML form can send without any script.
    const forged = other.waitForResponse((response) => response.url().endsWith("/trpc/notes.add"));
    await other.evaluate(async (api) => {
      const form = new FormData();
      form.set("text", "forged");
      await fetch(`${api}/trpc/notes.add`, { method: "POST", mode: "no-cors", credentials: "include", body: form });
    }, url());
    const response = await forged;
    expect(response.status()).toBe(403);
    await other.close();
    // The response is opaque to the page (and to the test): the server's onRefused says which refusal.
    expect(serverLog).toContain("refused notes.add: CSRF_MISMATCH");
    await page.reload();
    expect(await page.locator("#notes li").allTextContents()).toEqual(["from a Server Action"]);
  });

  it("logs out leaving no cookie", async () => {
    await page.click("#logout");
    await page.waitForSelector("#signed-out");
    expect(await context.cookies(url())).toEqual([]);
    expect(await page.evaluate(() => document.cookie)).toBe("");
  });

  it("the pages fetched nothing beyond the app (no fonts, scripts or beacons from elsewhere)", () => {
    expect(offLoopback).toEqual([]);
  });
});
