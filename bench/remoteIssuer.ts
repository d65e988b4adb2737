// RemoteIssuer (issue 10) against jose's jwtVerify with createRemoteJWKSet, both with the keys
// already fetched from the same JWKS endpoint on 127.0.0.1: first-seen and repeated access tokens.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createPrivateKey, createPublicKey, randomUUID, sign } from "node:crypto";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { RemoteIssuer } from "trpc-jwt";
import { measureGroup, ratio, type Case, type GroupOptions, type Row } from "./harness.js";
import { RSA_KEYS } from "./rsaKeys.js";

const ISSUER = "https://idp.bench.test/";
const AUDIENCE = "https://api.bench.test";
const KID = "bench-key";
const GROUP = "RemoteIssuer RS256 access tokens, keys cached, sequential";
/** The rows the table's ratios refer to. */
export const REMOTE_FIRST_SEEN_ROW = "trpc-jwt RemoteIssuer, first-seen tokens";
export const REMOTE_REPEATED_ROW = "trpc-jwt RemoteIssuer, repeated token";
const JOSE_ROW = "jose jwtVerify + createRemoteJWKSet";

const privateKey = createPrivateKey(RSA_KEYS.privateKey);
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** An RFC 9068 access token as an identity provider signs it. */
function accessToken(sub: string): string {
  const now = Math.floor(Date.now() / 1000);
  const input = `${b64({ alg: "RS256", typ: "at+jwt", kid: KID })}.${b64({ iss: ISSUER, sub, aud: AUDIENCE, iat: now, exp: now + 3600, jti: randomUUID(), client_id: "bench", scope: "read write" })}`;
  return `${input}.${sign("sha256", Buffer.from(input), privateKey).toString("base64url")}`;
}

/** The group, measured side by side; the JWKS server runs only while it is measured. */
export async function remoteIssuerRows(options: GroupOptions): Promise<Row[]> {
  const jwks = JSON.stringify({ keys: [{ ...createPublicKey(RSA_KEYS.privateKey).export({ format: "jwk" }), kid: KID, alg: "RS256", use: "sig" }] });
  const server = createServer((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end(jwks));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const jwksUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
  try {
    // Large enough that a token comes back only after its "seen once" slot was reused: never cached.
    const pool = Array.from({ length: 8192 }, (_, i) => accessToken(`user-${i}`));
    const fresh = (i: number) => pool[i % pool.length] as string;
    const repeated = accessToken("repeated-user");
    const remoteOptions = { issuer: ISSUER, jwksUri, audience: AUDIENCE } as const;
    const firstSeen = new RemoteIssuer({ ...remoteOptions, cacheSize: 256 });
    const cached = new RemoteIssuer(remoteOptions);
    const joseKeys = createRemoteJWKSet(new URL(jwksUri));
    // jose checks what RemoteIssuer checks: algorithm, issuer, audience, access-token typ, lifetime.
    const joseOptions = { algorithms: ["RS256"], issuer: ISSUER, audience: AUDIENCE, typ: "at+jwt", requiredClaims: ["sub", "iat", "exp"] };
    // Fetch the keys before measuring: the rows compare verification, not the first fetch.
    await Promise.all([firstSeen.verifyToken(repeated), cached.verifyToken(repeated), jwtVerify(repeated, joseKeys, joseOptions)]);
    const cases: Case[] = [
      [`${JOSE_ROW}, first-seen tokens`, (i) => jwtVerify(fresh(i), joseKeys, joseOptions)],
      // The same call again: how far two measurements of one thing differ in this run.
      [`${JOSE_ROW} (again: noise gauge)`, (i) => jwtVerify(fresh(i), joseKeys, joseOptions)],
      [`${JOSE_ROW}, repeated token`, () => jwtVerify(repeated, joseKeys, joseOptions)],
      [REMOTE_FIRST_SEEN_ROW, (i) => firstSeen.verifyToken(fresh(i))],
      [REMOTE_REPEATED_ROW, () => cached.verifyToken(repeated)],
    ];
    return await measureGroup(GROUP, cases, options);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

/** The table's reference row for `name`: repeated-token rows against ours on a repeated token. */
export const remoteIssuerReference = (name: string) => (name.includes("repeated") ? REMOTE_REPEATED_ROW : REMOTE_FIRST_SEEN_ROW);

/** The issue 10 target line: first-seen within 10% of jose (ratio >= 0.90), with its spread. */
export function remoteIssuerTarget(rows: readonly Row[], spread: (r: ReturnType<typeof ratio>) => string): string {
  const row = (prefix: string) => rows.find((r) => r.group === GROUP && r.name.startsWith(prefix))!;
  const firstSeen = ratio(row(REMOTE_FIRST_SEEN_ROW), row(`${JOSE_ROW}, first-seen`));
  const repeated = ratio(row(REMOTE_REPEATED_ROW), row(`${JOSE_ROW}, repeated`));
  const noise = ratio(row(`${JOSE_ROW} (again`), row(`${JOSE_ROW}, first-seen`));
  return `- ${GROUP}: first-seen ${spread(firstSeen)} jose jwtVerify with createRemoteJWKSet (issue 10 target >= 0.90); repeated token ${spread(repeated)} jose; jose against itself ${spread(noise)}`;
}
