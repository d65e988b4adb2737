import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";
import { nextRsaKeyPair } from "./rsaKeys.js";

/** The API the provider issues access tokens for (the resource indicator), and another one. */
export const API_AUDIENCE = "https://api.example.test";
export const OTHER_AUDIENCE = "https://other-api.example.test";
export const PROVIDER_SCOPES = ["read", "write", "admin"];
const CLIENT = { id: "service-client", secret: "service-client-secret-0123456789" };

/** An RS256 signing key (the next of rsaKeys.ts), as a private JWK, as oidc-provider's `jwks` option takes it. */
function signingKey() {
  const { privateKey } = nextRsaKeyPair();
  return { ...privateKey.export({ format: "jwk" }), kid: randomUUID(), alg: "RS256", use: "sig" };
}

function configuration(keys: object[]) {
  return {
    clients: [
      {
        client_id: CLIENT.id,
        client_secret: CLIENT.secret,
        grant_types: ["client_credentials"],
        redirect_uris: [],
        response_types: [],
        scope: PROVIDER_SCOPES.join(" "),
      },
    ],
    scopes: PROVIDER_SCOPES,
    jwks: { keys },
    ttl: { ClientCredentials: 600 },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => API_AUDIENCE,
        useGrantedResource: () => true,
        // Both APIs take JWT access tokens (RFC 9068), signed with the provider's current key.
        getResourceServerInfo: (_ctx: unknown, resource: string) => {
          if (resource !== API_AUDIENCE && resource !== OTHER_AUDIENCE) throw new Error("unknown resource");
          return { scope: PROVIDER_SCOPES.join(" "), audience: resource, accessTokenFormat: "jwt", accessTokenTTL: 600, jwt: { sign: { alg: "RS256" } } };
        },
      },
    },
  };
}

/**
 * A real OpenID provider (oidc-provider, OpenID certified) on 127.0.0.1, issuing JWT access
 * tokens through the client-credentials grant with a resource indicator. `rotateKey()` does what
 * an operator does: a new signing key first, the old one still published for verification.
 */
export async function startOidcProvider() {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let keys = [signingKey()];
  let handle = new Provider(issuer, configuration(keys)).callback();
  server.on("request", (req: IncomingMessage, res: ServerResponse) => handle(req, res));
  return {
    issuer,
    /** The kid of the key new tokens are signed with. */
    get currentKid(): string {
      return keys[0]!.kid;
    },
    /** An access token from the token endpoint (client credentials, resource indicator). */
    async accessToken(scope = "read write", resource = API_AUDIENCE): Promise<string> {
      const response = await fetch(`${issuer}/token`, {
        method: "POST",
        headers: {
          authorization: `Basic ${Buffer.from(`${CLIENT.id}:${CLIENT.secret}`).toString("base64")}`,
          "content-type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams({ grant_type: "client_credentials", resource, scope }),
      });
      const body = (await response.json()) as { access_token?: string };
      if (response.status !== 200 || typeof body.access_token !== "string") throw new Error(`token endpoint: ${response.status} ${JSON.stringify(body)}`);
      return body.access_token;
    },
    rotateKey(): void {
      keys = [signingKey(), ...keys];
      handle = new Provider(issuer, configuration(keys)).callback();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type OidcProvider = Awaited<ReturnType<typeof startOidcProvider>>;
