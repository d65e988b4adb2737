// The adversarial matrix over real HTTP on 127.0.0.1, with a careless errorFormatter that serialises
// `cause` and stack and an onError spy: every attack is refused with its documented code and status,
// nothing is a 500, and no token fragment, claim value, key or jose message reaches a response or log.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { AuthManager, JWT_ERRORS } from "trpc-jwt";
import { ATTACKS, CANARY_CLAIM, type Attack, type Managers } from "./helpers/attacks.js";
import { HS256_SECRET, optionsFor, RSA_PRIVATE_PEM, RSA_PUBLIC_PEM } from "./helpers/keys.js";
import { createTestApp } from "./helpers/testApp.js";

const managers: Managers = {
  HS256: new AuthManager(optionsFor("HS256", { maxTokenLength: 8192 })),
  RS256: new AuthManager(optionsFor("RS256")),
};
const logs: string[] = [];
const servers: Partial<Record<keyof Managers, { url: string; server: Server }>> = {};

const JOSE_TEXT = ["JWSSignatureVerificationFailed", "JWTClaimValidationFailed", "JWTExpired", "JWSInvalid", "JWTInvalid", "JOSEAlgNotAllowed", "JOSENotSupported", "ERR_JW", "ERR_JOSE", "signature verification failed", "timestamp check failed", "claim value", "Compact JWS", "not allowed", "Invalid JWT", "must be a"];
const KEY_TEXT = [HS256_SECRET, RSA_PRIVATE_PEM.split("\n")[1] as string, RSA_PUBLIC_PEM.split("\n")[1] as string];

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return [String(error), error.stack, JSON.stringify(error, Object.getOwnPropertyNames(error)), error.cause ? describeError(error.cause) : ""].join("\n");
}

beforeAll(async () => {
  for (const alg of ["HS256", "RS256"] as const) {
    const { router, createContext } = createTestApp(managers[alg], { exposeCause: true });
    const handler = createHTTPHandler({ router, createContext, onError: ({ error }) => void logs.push(describeError(error)) });
    // Node's default 16 KiB header limit would stop the 1 MiB token before trpc-jwt sees it.
    const server = createServer({ maxHeaderSize: 2 * 1024 * 1024 }, handler);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    servers[alg] = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
  }
  for (const method of ["log", "info", "warn", "error", "debug"] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void logs.push(args.map(describeError).join(" ")));
  }
});
afterAll(async () => {
  vi.restoreAllMocks();
  for (const entry of Object.values(servers)) {
    entry.server.closeAllConnections();
    await new Promise<void>((resolve) => entry.server.close(() => resolve()));
  }
});

async function send(attack: Attack, headers: Record<string, string>) {
  const { url } = servers[attack.alg]!;
  const { path, input, type = "query" } = attack.procedure;
  const encoded = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;
  return type === "query"
    ? fetch(`${url}/${path}${encoded}`, { headers })
    : fetch(`${url}/${path}`, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: JSON.stringify({ json: input ?? null }) });
}

/** The substrings of a request that must never come back: token segments, claim values, keys. */
function secretsOf(headers: Record<string, string>): string[] {
  const value = Object.values(headers).join(" ");
  const fragments = value.split(/[\s.,]+/).filter((part) => part.length >= 12 && !/^(Bearer|Basic|Token)$/i.test(part));
  return [...fragments.map((part) => part.slice(0, 24)), ...fragments.map((part) => part.slice(-24)), CANARY_CLAIM, "mallory-sub-7f3a", ...KEY_TEXT];
}

describe("adversarial matrix over HTTP", () => {
  it("has every case the security issue lists", () => {
    const names = ATTACKS.map((attack) => attack.name).join("\n");
    for (const needle of ['alg "none"', 'alg "NONE"', "HS512 token against an HS256 key", "public key PEM as HMAC secret", "PS256", "RS512", "expired", "exp == now", "future nbf", "iat far in the future", "missing exp", "missing iat", "missing sub", "missing type", "not a safe integer", "issuer in another case", "trailing space", "issuer as an array", "refresh token on an auth procedure", "auth token on a refresh procedure", 'type "AUTH"', 'type "auth "', 'type ["auth"]', "superadmin", 'scope "true"', "scope 1 for true", "string claim vs number input", "case differs", "JWE", "1 MiB", "jku", "jwk", "x5u", "empty bearer", "garbage", "another scheme"]) {
      expect(names).toContain(needle);
    }
  });

  it.each(ATTACKS.map((attack) => [attack.name, attack] as const))("%s", async (_name, attack) => {
    const headers = await attack.headers(managers);
    logs.length = 0;
    const response = await send(attack, headers);
    const body = await response.text();
    const info = JWT_ERRORS[attack.expect];
    expect(response.status).toBe(info.httpStatus);
    const { error } = JSON.parse(body) as { error: { json: { message: string; data: { code: string; jwtCode: string } } } };
    expect(error.json.data).toMatchObject({ code: info.trpcCode, jwtCode: attack.expect });
    expect(error.json.message).toBe(info.message);
    expect(logs.length).toBeGreaterThan(0); // onError saw the refusal, so the log check below has material
    const everything = [body, JSON.stringify([...response.headers]), ...logs].join("\n");
    for (const secret of secretsOf(headers)) expect(everything).not.toContain(secret);
    for (const text of JOSE_TEXT) expect(everything).not.toContain(text);
  });
});
