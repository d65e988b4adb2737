import { CompactEncrypt } from "jose";
import type { AuthManager, JwtErrorCode } from "trpc-jwt";
import { forgeHmac, forgeRsa, forgeUnencodedHmac, forgeUnsigned, goodClaims } from "./forge.js";
import { HS256_SECRET, otherRsa, RSA_PUBLIC_PEM } from "./keys.js";

/** A value an attacker controls that must never be echoed: it is planted in every forged token. */
export const CANARY_CLAIM = "leak-canary-claim-91c2";

/** One row of the adversarial matrix: what is sent, to which procedure, and the required refusal. */
export interface Attack {
  readonly name: string;
  /** The manager the server is configured with. */
  readonly alg: "HS256" | "RS256";
  /** Builds the Authorization header value (or other headers) for the request. */
  readonly headers: (managers: Managers) => Promise<Record<string, string>>;
  readonly procedure: { readonly path: string; readonly input?: unknown; readonly type?: "query" | "mutation" };
  readonly expect: JwtErrorCode;
}
export interface Managers {
  readonly HS256: AuthManager;
  readonly RS256: AuthManager;
}

const now = () => Math.floor(Date.now() / 1000);
const claims = (overrides: Record<string, unknown> = {}) => goodClaims({ canary: CANARY_CLAIM, ...overrides });
const bearer = (token: string | Promise<string>) => async () => ({ authorization: `Bearer ${await token}` });
const hs =
  (payload: Record<string, unknown> | string | Uint8Array, header: Record<string, unknown> = { typ: "JWT" }) =>
  () =>
    forgeHmac({ header, payload });
const rs =
  (payload: Record<string, unknown> | string, header: Record<string, unknown> = { typ: "JWT" }) =>
  () =>
    forgeRsa({ header, payload });
const without = (name: string) => {
  const { [name]: _dropped, ...rest } = claims();
  return rest;
};
const protectedRoute = { path: "protectedRoute" };

function tokenAttack(
  name: string,
  alg: Attack["alg"],
  make: () => Promise<string> | string,
  expect: JwtErrorCode = "TOKEN_INVALID",
  procedure: Attack["procedure"] = protectedRoute,
): Attack {
  return { name, alg, headers: async () => ({ authorization: `Bearer ${await make()}` }), procedure, expect };
}

/** Flip the unused low bits of a segment's last character: same bytes, non-canonical text. */
function nonCanonical(token: string): string {
  const [h, p, s] = token.split(".") as [string, string, string];
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const last = alphabet.indexOf(s.at(-1) as string);
  const unusedBits = s.length % 4 === 2 ? 4 : 2;
  return `${h}.${p}.${s.slice(0, -1)}${alphabet[last ^ ((1 << unusedBits) - 1)]}`;
}

export const ATTACKS: readonly Attack[] = [
  // alg: none and its case variants, with and without a signature segment.
  ...["none", "None", "NONE", "nOnE"].map((alg) =>
    tokenAttack(`alg "${alg}", empty signature`, "HS256", () => forgeUnsigned({ header: { alg, typ: "JWT" }, payload: claims() })),
  ),
  tokenAttack('alg "none" with a signature segment', "HS256", () => forgeUnsigned({ header: { alg: "none", typ: "JWT" }, payload: claims() }, "AAAA")),
  tokenAttack('alg "none" against an RSA manager', "RS256", () => forgeUnsigned({ header: { alg: "none", typ: "JWT" }, payload: claims() })),
  // Algorithm confusion.
  tokenAttack("HS512 token against an HS256 key", "HS256", () =>
    forgeHmac({ header: { alg: "HS512", typ: "JWT" }, payload: claims() }, HS256_SECRET + HS256_SECRET),
  ),
  tokenAttack("RS256 -> HS256 confusion: public key PEM as HMAC secret", "RS256", () =>
    forgeHmac({ header: { alg: "HS256", typ: "JWT" }, payload: claims() }, RSA_PUBLIC_PEM),
  ),
  tokenAttack("PS256 token signed by the right RSA key", "RS256", rs(claims(), { alg: "PS256", typ: "JWT" })),
  tokenAttack("RS512 token signed by the right RSA key", "RS256", rs(claims(), { alg: "RS512", typ: "JWT" })),
  tokenAttack("RS256 token signed by another key", "RS256", () => forgeRsa({ header: { typ: "JWT" }, payload: claims() }, otherRsa.privateKey)),
  tokenAttack("HS256 token signed with another secret", "HS256", () =>
    forgeHmac({ header: { typ: "JWT" }, payload: claims() }, "another-secret-of-at-least-32-bytes!!"),
  ),
  // Time.
  tokenAttack("expired", "HS256", () => forgeHmac({ header: { typ: "JWT" }, payload: claims({ iat: now() - 100, exp: now() - 1 }) }), "TOKEN_EXPIRED"),
  tokenAttack("exp == now", "HS256", () => forgeHmac({ header: { typ: "JWT" }, payload: claims({ iat: now() - 100, exp: now() }) }), "TOKEN_EXPIRED"),
  tokenAttack("expired and wrongly signed is invalid, not expired", "HS256", () =>
    forgeHmac({ header: { typ: "JWT" }, payload: claims({ exp: now() - 1 }) }, "another-secret-of-at-least-32-bytes!!"),
  ),
  tokenAttack("future nbf", "HS256", hs(claims({ nbf: now() + 60 }))),
  tokenAttack("iat far in the future", "HS256", hs(claims({ iat: now() + 86400, exp: now() + 90000 }))),
  // A minute of iat skew is allowed (whole-second iat, issue 16); beyond it a future iat is refused.
  tokenAttack("iat beyond the 60 s skew allowance", "HS256", hs(claims({ iat: now() + 90 }))),
  tokenAttack("exp not a safe integer", "HS256", hs(claims({ exp: 2 ** 53 + 2 }))),
  tokenAttack("exp fractional", "HS256", hs(claims({ exp: now() + 60.5 }))),
  tokenAttack("exp a numeric string", "HS256", hs(claims({ exp: String(now() + 60) }))),
  tokenAttack("exp overflowing to Infinity", "HS256", hs(JSON.stringify(claims()).replace(/"exp":\d+/, '"exp":1e400'))),
  tokenAttack("exp beyond year 9999", "HS256", hs(claims({ exp: 253402300800 }))),
  // Required claims.
  ...["exp", "iat", "sub", "type", "iss"].map((name) => tokenAttack(`missing ${name}`, "HS256", hs(without(name)))),
  tokenAttack("null sub", "HS256", hs(claims({ sub: null }))),
  tokenAttack("empty sub", "HS256", hs(claims({ sub: "" }))),
  tokenAttack("numeric sub", "HS256", hs(claims({ sub: 42 }))),
  // Issuer.
  tokenAttack("issuer in another case", "HS256", hs(claims({ iss: "flask_pyjwt" }))),
  tokenAttack("issuer with a trailing space", "HS256", hs(claims({ iss: "Flask_PyJWT " }))),
  tokenAttack("issuer as an array", "HS256", hs(claims({ iss: ["Flask_PyJWT"] }))),
  // Token type.
  ...[["AUTH"], ["auth "], [["auth"]], ["access"], [null]].map(([type]) => tokenAttack(`type ${JSON.stringify(type)}`, "HS256", hs(claims({ type })))),
  tokenAttack("refresh token on an auth procedure", "HS256", hs(claims({ type: "refresh" })), "TOKEN_WRONG_TYPE"),
  tokenAttack("auth token on a refresh procedure", "HS256", hs(claims()), "TOKEN_WRONG_TYPE", { path: "refresh", type: "mutation" }),
  tokenAttack("refresh token carrying a scope", "HS256", hs(claims({ type: "refresh", scope: { admin: true } })), "TOKEN_INVALID", {
    path: "refresh",
    type: "mutation",
  }),
  // Other claims.
  tokenAttack("aud present while no audience is configured", "HS256", hs(claims({ aud: "my-api" }))),
  tokenAttack("non-string jti", "HS256", hs(claims({ jti: 7 }))),
  tokenAttack("__proto__ in the payload", "HS256", hs(JSON.stringify(claims()).replace(/^\{/, '{"__proto__":{"admin":true},'))),
  tokenAttack("nested 40 deep", "HS256", hs(claims({ deep: JSON.parse("[".repeat(40) + "]".repeat(40)) }))),
  // Headers that name keys: never followed, refused.
  ...["jku", "x5u"].map((param) => tokenAttack(`${param} header`, "HS256", hs(claims(), { typ: "JWT", [param]: "http://127.0.0.1:9/keys" }))),
  tokenAttack("jwk header", "RS256", rs(claims(), { typ: "JWT", jwk: { kty: "RSA", n: "AQAB", e: "AQAB" } })),
  tokenAttack("x5c header", "RS256", rs(claims(), { typ: "JWT", x5c: ["AAAA"] })),
  tokenAttack("crit header", "HS256", hs(claims(), { typ: "JWT", crit: ["exp"], exp: 1 })),
  tokenAttack("missing typ header", "HS256", hs(claims(), {})),
  tokenAttack("typ other than JWT", "HS256", hs(claims(), { typ: "at+jwt" })),
  // Shape.
  tokenAttack("JWE compact token", "HS256", () =>
    new CompactEncrypt(new TextEncoder().encode(JSON.stringify(claims())))
      .setProtectedHeader({ alg: "dir", enc: "A256GCM" })
      .encrypt(new TextEncoder().encode(HS256_SECRET)),
  ),
  tokenAttack("1 MiB token", "HS256", async () => {
    const [h, , s] = (await forgeHmac({ header: { typ: "JWT" }, payload: claims() })).split(".");
    return `${h}.${"A".repeat(1024 * 1024)}.${s}`;
  }),
  tokenAttack("non-canonical base64url (same bytes)", "HS256", async () => nonCanonical(await forgeHmac({ header: { typ: "JWT" }, payload: claims() }))),
  tokenAttack("base64 padding", "HS256", async () => `${await forgeHmac({ header: { typ: "JWT" }, payload: claims() })}=`),
  tokenAttack("four segments", "HS256", async () => `${await forgeHmac({ header: { typ: "JWT" }, payload: claims() })}.AAAA`),
  tokenAttack("payload that is not JSON", "HS256", hs("not json")),
  tokenAttack("payload that is a JSON array", "HS256", hs("[1,2,3]")),
  // The payload bytes are decoded one way only: strict UTF-8, no byte-order mark, encoded segments.
  tokenAttack(
    "payload with invalid UTF-8",
    "HS256",
    hs(Buffer.concat([Buffer.from(JSON.stringify(claims()).slice(0, -1)), Buffer.from(',"x":"\xff"}', "latin1")])),
  ),
  tokenAttack("payload behind a byte-order mark", "HS256", hs(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(claims()))]))),
  tokenAttack("unencoded payload (b64: false)", "HS256", () => forgeUnencodedHmac({ typ: "JWT", b64: false, crit: ["b64"] }, "e30")),
  // Credentials that are not exactly one bearer token.
  ...[
    ["an empty bearer", "Bearer "],
    ["the bare scheme", "Bearer"],
    ["two spaces", "Bearer  x.y.z"],
    ["Basic credentials", "Basic YWxpY2U6c2VjcmV0"],
    ["another scheme", "Token x.y.z"],
    ["garbage", "Bearer garbage"],
    ["two bearer tokens", "Bearer a.b.c, Bearer d.e.f"],
  ].map(([name, value]): Attack => ({
    name: `header: ${name}`,
    alg: "HS256",
    headers: async () => ({ authorization: value as string }),
    procedure: protectedRoute,
    expect: "TOKEN_INVALID",
  })),
  { name: "no credentials at all", alg: "HS256", headers: async () => ({}), procedure: protectedRoute, expect: "TOKEN_MISSING" },
  // Valid tokens that must still be refused by the rules.
  ...(
    [
      ['scope "superadmin" for "read write"', { scope: "superadmin readwrite" }, { path: "oauth" }, "SCOPE_MISMATCH"],
      ['scope "true" for true', { scope: { admin: "true" } }, { path: "admin" }, "SCOPE_MISMATCH"],
      ["scope 1 for true", { scope: { admin: 1 } }, { path: "admin" }, "SCOPE_MISMATCH"],
      [
        "admin only inside scope does not override",
        { scope: { admin: true } },
        { path: "overridable", input: { username: "someone-else" } },
        "CLAIMS_MISMATCH",
      ],
      ["override claim 1 for true", { admin: 1 }, { path: "overridable", input: { username: "someone-else" } }, "CLAIMS_MISMATCH"],
      ["input binding: string claim vs number input", { uid: "7" }, { path: "account", input: { id: 7 } }, "CLAIMS_MISMATCH"],
      ["input binding: case differs", {}, { path: "user", input: { username: "Mallory-Sub-7f3a" } }, "CLAIMS_MISMATCH"],
      ["input binding: substring", {}, { path: "user", input: { username: "mallory" } }, "CLAIMS_MISMATCH"],
    ] as const
  ).map(([name, extra, procedure, expect]): Attack => ({
    name,
    alg: "HS256",
    headers: ({ HS256 }) =>
      bearer(
        HS256.authToken("mallory-sub-7f3a", "scope" in extra ? extra.scope : undefined, { canary: CANARY_CLAIM, ...withoutScope(extra) }).then((t) => t.signed),
      )(),
    procedure,
    expect,
  })),
];

function withoutScope(extra: Record<string, unknown>) {
  const { scope: _scope, ...rest } = extra as Record<string, never>;
  return rest;
}
