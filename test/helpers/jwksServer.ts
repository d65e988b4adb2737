import { randomUUID, type KeyObject } from "node:crypto";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { SignJWT, type JWK } from "jose";
import { nextRsaKeyPair } from "./rsaKeys.js";

/** What the server answers with. */
export type JwksMode =
  | "ok" // the published keys
  | "slow" // accepts the request, then answers nothing
  | "hold" // keeps the request until `release()`, then answers with the keys published then
  | "garbage" // 200 with a body that is not JSON
  | "huge" // 200 with a valid-looking key set of several megabytes
  | "private" // the keys including their private members
  | "symmetric" // an HMAC key (kty "oct") beside the public keys
  | "error"; // 500

/** A 2048-bit RSA key pair (the next of rsaKeys.ts) with a kid, and its JWKs (published for `alg`, RS256 by default). */
export function rsaSigningKey(kid: string = randomUUID(), alg = "RS256") {
  const { privateKey, publicKey } = nextRsaKeyPair();
  const publicJwk: JWK = { ...publicKey.export({ format: "jwk" }), kid, alg, use: "sig" };
  const privateJwk: JWK = { ...privateKey.export({ format: "jwk" }), kid, alg, use: "sig" };
  return { kid, privateKey, publicJwk, privateJwk };
}
export type SigningKey = ReturnType<typeof rsaSigningKey>;

/**
 * Signs an access token the way an identity provider does (RS256, `typ: at+jwt`, the key's
 * kid). `claims` are the whole payload; `header` overrides header fields.
 */
export function signAccessToken(
  key: { kid: string; privateKey: KeyObject },
  claims: Record<string, unknown>,
  header: Record<string, unknown> = {},
): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: "RS256", typ: "at+jwt", kid: key.kid, ...header }).sign(key.privateKey);
}

/**
 * A small JWKS endpoint on 127.0.0.1 for the failure modes: it can be stopped and started again
 * (same port), slowed, held, or made to serve garbage; `requests` counts every request it received.
 */
export async function startJwksServer(keys: SigningKey[]) {
  let mode: JwksMode = "ok";
  let published = keys;
  let requests = 0;
  let held: ServerResponse[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((_req, res) => {
    requests++;
    if (mode === "hold") held.push(res);
    else answer(res);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  const answer = (res: ServerResponse) => {
    const send = (body: string, status = 200) => res.writeHead(status, { "content-type": "application/json" }).end(body);
    const publicKeys = published.map((key) => key.publicJwk);
    switch (mode) {
      case "ok":
        return send(JSON.stringify({ keys: publicKeys }));
      case "slow":
      case "hold":
        return; // the socket stays open until the client gives up or the server stops
      case "garbage":
        return send("<html>502 Bad Gateway</html>");
      case "huge": {
        // Chunked, no Content-Length: only counting what arrives can stop it.
        res.writeHead(200, { "content-type": "application/json" });
        res.write(`{"keys":[${JSON.stringify(publicKeys[0])}`);
        const filler = `,${JSON.stringify({ kty: "RSA", n: "x".repeat(64 * 1024), e: "AQAB" })}`;
        for (let i = 0; i < 64; i++) res.write(filler);
        return res.end("]}");
      }
      case "private":
        return send(JSON.stringify({ keys: published.map((key) => key.privateJwk) }));
      case "symmetric":
        return send(
          JSON.stringify({ keys: [...publicKeys, { kty: "oct", k: Buffer.from("a-shared-secret-of-32-bytes-long").toString("base64url"), kid: "hmac" }] }),
        );
      case "error":
        return send("{}", 500);
    }
  };
  const listen = (port: number) => new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  await listen(0);
  const { port } = server.address() as AddressInfo;
  const stop = () =>
    new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return {
    url: `http://127.0.0.1:${port}/jwks`,
    get requests() {
      return requests;
    },
    /** Requests kept in "hold" mode, not answered yet. */
    get held() {
      return held.length;
    },
    /** Answers the held requests with the keys published now (back to "ok" mode). */
    release() {
      mode = "ok";
      for (const res of held) answer(res);
      held = [];
    },
    setMode(next: JwksMode) {
      mode = next;
    },
    publish(next: SigningKey[]) {
      published = next;
    },
    stop,
    start: () => listen(port),
    close: stop,
  };
}

export type JwksServer = Awaited<ReturnType<typeof startJwksServer>>;
