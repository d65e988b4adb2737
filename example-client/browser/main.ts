// The browser example's client: a cookie session with @trpc/client. Bundled by the example
// server at start (esbuild); `window.demo` is what the buttons, and the browser test, call.
import { createTRPCClient, httpBatchStreamLink, httpLink, isNonJsonSerializable, splitLink } from "@trpc/client";
import { cookieRefreshLink, csrfHeader, jwtErrorAction } from "trpc-jwt/client";
import type { BrowserRouter } from "../../example-server/browserRouter.js";

const url = "/browser/trpc";
// Every call repeats the csrf cookie as x-csrf-token: the server requires it on mutations.
const headers = csrfHeader();
// Calls that set cookies go through httpLink: a streamed batch sends its headers before the
// procedures run, so it cannot carry Set-Cookie. So do form and binary bodies (no batching).
const SETS_COOKIES = new Set(["login", "refresh", "logout"]);
const plain = createTRPCClient<BrowserRouter>({ links: [httpLink({ url, headers })] });
const client = createTRPCClient<BrowserRouter>({
  links: [
    // The demo's auth token lives 2 seconds: refresh when it has run out, not 10 s before.
    cookieRefreshLink({ refresh: () => plain.refresh.mutate(), onLogout: () => log("session over: log in again"), refreshBefore: 0 }),
    splitLink({
      condition: (op) => SETS_COOKIES.has(op.path) || isNonJsonSerializable(op.input),
      true: httpLink({ url, headers }),
      false: httpBatchStreamLink({ url, headers }),
    }),
  ],
});

function log(line: string): void {
  const element = document.getElementById("log");
  if (element) element.textContent += `${line}\n`;
}

async function shown<T>(label: string, call: Promise<T>): Promise<T> {
  try {
    const result = await call;
    log(`${label}: ${JSON.stringify(result)}`);
    return result;
  } catch (error) {
    log(`${label} failed (${jwtErrorAction(error) ?? "error"})`);
    throw error;
  }
}

const demo = {
  login: (username: string, password: string) => shown("login", client.login.mutate({ username, password })),
  me: () => shown("me", client.me.query()),
  notes: () => shown("notes", client.notes.query()),
  addNote: (text: string) => shown("addNote", client.addNote.mutate({ text })),
  uploadNote: (text: string) => {
    const form = new FormData();
    form.set("text", text);
    return shown("uploadNote", client.uploadNote.mutate(form));
  },
  blobNote: (text: string) => shown("blobNote", client.blobNote.mutate(new Blob([text], { type: "application/octet-stream" }))),
  logout: () => shown("logout", client.logout.mutate()),
};
(globalThis as { demo?: typeof demo }).demo = demo;

document.getElementById("login")?.addEventListener("submit", (event) => {
  event.preventDefault();
  const form = new FormData(event.target as HTMLFormElement);
  void demo.login(String(form.get("username")), String(form.get("password"))).catch(() => undefined);
});
document.getElementById("me")?.addEventListener("click", () => void demo.me().catch(() => undefined));
document.getElementById("note")?.addEventListener("click", () => void demo.addNote(new Date().toISOString()).catch(() => undefined));
document.getElementById("logout")?.addEventListener("click", () => void demo.logout().catch(() => undefined));
