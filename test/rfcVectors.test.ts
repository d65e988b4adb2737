// Issue 9: the published examples of RFC 7515 appendix A.2 (RS256) and A.3 (ES256) and of RFC 8037
// appendix A.4 (Ed25519) verify with their keys at the signature level: our key import (a JWK
// object, as the RFCs give them) and our signature step. Their claims (no typ, no sub, an exp in
// 2011) are for no AuthManager, so the claim check is not part of this.
import type { JsonWebKey } from "node:crypto";
import { describe, expect, it } from "vitest";
import { resolveOptions } from "../src/config/options.js";
import type { AuthType } from "../src/jws/algorithms.js";
import { importKeys } from "../src/keys/importKeys.js";
import { jwkThumbprint } from "../src/keys/jwkThumbprint.js";
import { createSignatureStep } from "../src/tokens/createSignatureStep.js";

const PAYLOAD = "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";

// RFC 7515 A.2.1: the RSA key (n, e, d, p, q; the CRT members follow from them).
const A2 = {
  n: "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ",
  e: "AQAB",
  d: "Eq5xpGnNCivDflJsRQBXHx1hdR1k6Ulwe2JZD50LpXyWPEAeP88vLNO97IjlA7_GQ5sLKMgvfTeXZx9SE-7YwVol2NXOoAJe46sui395IW_GO-pWJ1O0BkTGoVEn2bKVRUCgu-GjBVaYLU6f3l9kJfFNS3E0QbVdxzubSu3Mkqzjkn439X0M_V51gfpRLI9JYanrC4D4qAdGcopV_0ZHHzQlBjudU2QvXt4ehNYTCBr6XCLQUShb1juUO1ZdiYoFaFQT5Tw8bGUl_x_jTj3ccPDVZFD9pIuhLhBOneufuBiB4cS98l2SR_RQyGWSeWjnczT0QU91p1DhOVRuOopznQ",
  p: "4BzEEOtIpmVdVEZNCqS7baC4crd0pqnRH_5IB3jw3bcxGn6QLvnEtfdUdiYrqBdss1l58BQ3KhooKeQTa9AB0Hw_Py5PJdTJNPY8cQn7ouZ2KKDcmnPGBY5t7yLc1QlQ5xHdwW1VhvKn-nXqhJTBgIPgtldC-KDV5z-y2XDwGUc",
  q: "uQPEfgmVtjL0Uyyx88GZFF1fOunH3-7cepKmtH4pxhtCoHqpWmT8YAmZxaewHgHAjLYsp1ZSe7zFYHj7C6ul7TjeLQeZD_YwD66t62wDmpe_HlB-TnBA-njbglfIsRLtXlnDzQkv5dTltRJ11BKBBypeeF6689rjcJIDEz9RWdc",
};
const A2_JWS = `eyJhbGciOiJSUzI1NiJ9.${PAYLOAD}.cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw`;
// RFC 7515 A.3.1: the P-256 key.
const A3 = {
  kty: "EC",
  crv: "P-256",
  x: "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
  y: "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
  d: "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI",
};
const A3_JWS = `eyJhbGciOiJFUzI1NiJ9.${PAYLOAD}.DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q`;
// RFC 8037 A.1 (key), A.3 (its thumbprint) and A.4 (the signed example).
const ED = { kty: "OKP", crv: "Ed25519", d: "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A", x: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo" };
const ED_THUMBPRINT = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k";
const ED_JWS =
  "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";

/** The RFC's RSA key as a complete private JWK: the CRT members computed from p, q and d. */
function rsaJwk() {
  const int = (b64: string) => BigInt(`0x${Buffer.from(b64, "base64url").toString("hex")}`);
  const b64 = (value: bigint) => Buffer.from(value.toString(16).padStart(Math.ceil(value.toString(16).length / 2) * 2, "0"), "hex").toString("base64url");
  const [d, p, q] = [int(A2.d), int(A2.p), int(A2.q)];
  const inverse = (a: bigint, m: bigint) => {
    let [r0, r1, s0, s1] = [m, a % m, 0n, 1n];
    while (r1 !== 0n) [r0, r1, s0, s1] = [r1, r0 % r1, s1, s0 - (r0 / r1) * s1];
    return ((s0 % m) + m) % m;
  };
  return { kty: "RSA", ...A2, dp: b64(d % (p - 1n)), dq: b64(d % (q - 1n)), qi: b64(inverse(q, p)) };
}

async function signatureVerdict(alg: AuthType, jwk: JsonWebKey, jws: string): Promise<string> {
  const ring = importKeys(resolveOptions({ issuer: "joe", authType: alg, secret: jwk }));
  const verified = await createSignatureStep(alg, ring)(jws);
  return verified === undefined ? "refused" : Buffer.from(verified.payload).toString();
}

/** The same token with one payload character changed (so one payload byte differs). */
function tamper(jws: string): string {
  const [header, payload, signature] = jws.split(".") as [string, string, string];
  return `${header}.${payload.slice(0, 5)}${payload[5] === "A" ? "B" : "A"}${payload.slice(6)}.${signature}`;
}

describe.each([
  ["RFC 7515 A.2 (RS256)", "RS256", rsaJwk(), A2_JWS, '{"iss":"joe",'],
  ["RFC 7515 A.3 (ES256)", "ES256", A3, A3_JWS, '{"iss":"joe",'],
  ["RFC 8037 A.4 (EdDSA, Ed25519)", "EdDSA", ED, ED_JWS, "Example of Ed25519 signing"],
] as const)("%s", (_name, alg, jwk, jws, payloadStart) => {
  it("verifies with its key through our key import and signature step", async () => {
    expect(await signatureVerdict(alg, jwk, jws)).toContain(payloadStart);
  });
  it("and is refused once one payload byte changes, or under another algorithm", async () => {
    expect(await signatureVerdict(alg, jwk, tamper(jws))).toBe("refused");
    const other = alg === "RS256" ? "PS256" : alg === "ES256" ? "ES384" : "ES256";
    expect(await signatureVerdict(alg, jwk, jws.replace(/^[^.]+/, Buffer.from(JSON.stringify({ alg: other })).toString("base64url")))).toBe("refused");
  });
});

it("RFC 8037 A.3: the Ed25519 key's thumbprint, our default kid", async () => {
  const ring = importKeys(resolveOptions({ issuer: "joe", authType: "EdDSA", secret: ED }));
  expect(ring.signingKey().kid).toBe(ED_THUMBPRINT);
  expect(jwkThumbprint(ring.current.keyObject!)).toBe(ED_THUMBPRINT);
});
