// The requests of `npm run bench:http`: one token sent again and again ("repeated"), and tokens
// each server sees once ("first-seen"). First-seen tokens are minted here, synchronously, as the
// load asks for them: every server reads the shared pool through a cursor of its own (each
// server has a cache of its own), and a cursor that reaches the end of the pool mints more, so
// no server is ever sent a first-seen token twice, however fast it answers.
import { createHmac, createPrivateKey, randomUUID, sign, type KeyObject } from "node:crypto";
import { AuthManager } from "trpc-jwt";
import { ISSUER } from "./serverKinds.js";

export type Alg = "HS256" | "ES256";

/** A request's path and Authorization header. */
export interface Call {
  readonly path: string;
  readonly authorization: string;
}

const pathFor = (id: string) => `/trpc/profile?input=${encodeURIComponent(JSON.stringify({ id }))}`;
export { pathFor };

/** The tokens of one algorithm. */
export interface Traffic {
  /** The repeated token, for `repeated-user` (trpc-jwt's own, from `authToken`). */
  readonly repeated: Call & { readonly token: string };
  /** A cursor of its own over the first-seen tokens, for one server. */
  cursor(): () => Call;
  /** How many first-seen tokens were minted in all. */
  readonly minted: () => number;
}

/**
 * The traffic of `alg`, signed with `secret` (the HMAC secret or the ES256 private key, PEM),
 * with `initial` first-seen tokens minted up front. A first-seen token has the claims of the
 * repeated one (made by trpc-jwt's `authToken`: iss, iat, exp, sub, type, jti), with a `sub` and
 * `jti` of its own, signed the same way.
 */
export async function traffic(alg: Alg, secret: string, initial: number): Promise<Traffic> {
  const signed = (await new AuthManager({ issuer: ISSUER, authType: alg, secret }).authToken("repeated-user")).signed;
  const [header, payload] = signed.split(".") as [string, string];
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString()) as Record<string, unknown>;
  const key: KeyObject | string = alg === "HS256" ? secret : createPrivateKey(secret);
  const signature = (input: string) =>
    alg === "HS256"
      ? createHmac("sha256", secret).update(input).digest("base64url")
      : sign("sha256", Buffer.from(input), { key: key as KeyObject, dsaEncoding: "ieee-p1363" }).toString("base64url");
  const pool: Call[] = [];
  const mint = () => {
    const sub = `user-${pool.length}`;
    const body = Buffer.from(JSON.stringify({ ...claims, sub, jti: randomUUID() })).toString("base64url");
    const input = `${header}.${body}`;
    pool.push({ path: pathFor(sub), authorization: `Bearer ${input}.${signature(input)}` });
  };
  for (let i = 0; i < initial; i++) mint();
  return {
    repeated: { path: pathFor("repeated-user"), authorization: `Bearer ${signed}`, token: signed },
    cursor: () => {
      let next = 0;
      return () => {
        if (next === pool.length) mint();
        return pool[next++] as Call;
      };
    },
    minted: () => pool.length,
  };
}
