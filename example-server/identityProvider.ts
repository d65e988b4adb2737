import { RemoteIssuer } from "trpc-jwt";
import type { Env } from "trpc-jwt/types";

/**
 * An external identity provider whose access tokens the example API also accepts, when
 * `IDP_ISSUER`, `IDP_JWKS_URI` and `IDP_AUDIENCE` are all set (the load test sets them to a JWKS
 * server of its own); otherwise none.
 */
export function createIdentityProvider(env: Env = process.env, log: (line: string) => void = console.log): RemoteIssuer | undefined {
  const issuer = env["IDP_ISSUER"];
  const jwksUri = env["IDP_JWKS_URI"];
  const audience = env["IDP_AUDIENCE"];
  if (!issuer || !jwksUri || !audience) return undefined;
  log(`Also accepting access tokens from ${issuer} (IDP_ISSUER).`);
  return new RemoteIssuer({ issuer, jwksUri, audience });
}
