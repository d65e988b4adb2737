import { JwtConfigError } from "../errors.js";
import type { IssuedToken, JwtIssuer } from "../issuers/JwtIssuer.js";
import { tokenSourceOf } from "../issuers/tokenSourceOf.js";
import { booleanOf, functionOf, nonEmptyString, objectOf, optionNames } from "../options/validate.js";
import type { JwtToken } from "../tokens/JwtToken.js";
import { cookieSettings, type JwtCookieOptions } from "./cookies/cookieSettings.js";
import { trustedProxiesOf } from "./clientIp.js";
import { JwtRequest } from "./JwtRequest.js";
import type { JwtContextOptions, ServerCallOptions } from "./readCredential.js";
import type { RefusalEvent } from "./RefusalEvent.js";

/**
 * The context `createJwtContext` builds; guarded procedures add `token` to it. `TToken` is the
 * auth token type of its issuers (typed by an `AuthManager`'s schemas), inferred.
 */
export interface JwtContext<TToken = JwtToken> {
  /** The caller's credentials, verified on demand. */
  readonly jwt: JwtRequest<TToken>;
}

/** Options for {@link createJwtContext}. */
export interface JwtContextConfig {
  /** On WebSocket connections, the `connectionParams` key that holds the auth token. Default `"token"`. */
  readonly connectionParam?: string | undefined;
  /**
   * A development hook, called on every refusal made by a guard (`authedProcedure`,
   * `refreshProcedure`, `requireToken`) with the reason, so you can see what a
   * `TOKEN_INVALID` or `CLAIMS_MISMATCH` meant. Off by default. It never changes the response
   * (what it throws or rejects with is ignored) and nothing it is told reaches the client.
   */
  readonly onRefused?: ((event: RefusalEvent) => unknown) | undefined;
  /**
   * Browser sessions: `ctx.jwt.setTokens(pair)` / `clearTokens()` write HttpOnly cookies, and a
   * request without an `Authorization` header is authenticated by them (the header wins).
   * Cookie-authenticated requests other than GET must send `x-csrf-token` (see `csrfHeader` in
   * `trpc-jwt/client`), else 403 `CSRF_MISMATCH`. Off by default.
   */
  readonly cookies?: JwtCookieOptions | undefined;
  /**
   * OpenTelemetry, when `@opentelemetry/api` is installed (see docs/observability.md): guards put
   * the caller's `sub` on the active span as `enduser.id`. `subject: false` leaves it out, for
   * deployments where it is personal data. Default `{ subject: true }`.
   */
  readonly telemetry?: JwtTelemetryOptions | undefined;
  /**
   * The proxies in front of this server (CIDRs or addresses, IPv4 and IPv6, e.g.
   * `["10.0.0.0/8", "fd00::/8"]`): the client's address (`ip` in `auth.rateLimit`'s key) is then
   * the rightmost `X-Forwarded-For` hop that is not one of them. Without it the socket's address
   * is used and forwarded headers are never read (any client can send them). See docs/rate-limits.md.
   */
  readonly trustedProxies?: readonly string[] | undefined;
}

/** The `telemetry` option of {@link createJwtContext}. */
export interface JwtTelemetryOptions {
  /** Whether guards record the token's `sub` as `enduser.id` on the active span. Default `true`. */
  readonly subject?: boolean | undefined;
}

const CONFIG_NAMES = optionNames<JwtContextConfig>({ connectionParam: true, onRefused: true, cookies: true, telemetry: true, trustedProxies: true });
const TELEMETRY_NAMES = optionNames<JwtTelemetryOptions>({ subject: true });

/**
 * Makes a tRPC `createContext` for the fetch, standalone/Node `http`, Express, Fastify and WebSocket
 * adapters, and for server-side calls from `{ headers }` alone (Next.js `headers()` in a Server
 * Component or Server Action, `createCaller`). It reads nothing up front; tokens are verified
 * when a guarded procedure runs.
 * `issuers` is your `AuthManager`, a `RemoteIssuer` (an identity provider's access tokens), or a
 * list of them: then a token's unverified `iss` picks the one that verifies it, and an `iss`
 * none of them has is `TOKEN_INVALID`.
 *
 * @example
 * ```ts
 * export const createContext = createJwtContext(auth, {
 *   // development only: see why a call was refused
 *   onRefused: ({ code, reason, path }) => console.debug(`${path}: ${code} (${reason})`),
 * });
 * const t = initTRPC.context<typeof createContext>().create();
 * // extend it with your own context:
 * const createAppContext = (opts: CreateHTTPContextOptions) => ({ ...createContext(opts), db });
 * // your own tokens and an identity provider's, side by side:
 * export const createMixedContext = createJwtContext([auth, idp]);
 * // browser sessions in HttpOnly cookies, with CSRF protection:
 * export const createCookieContext = createJwtContext(auth, { cookies: { secure: true, sameSite: "lax" } });
 * const caller = router.createCaller(createCookieContext({ headers: await headers() }));
 * ```
 */
export function createJwtContext<const TIssuers extends JwtIssuer | readonly JwtIssuer[]>(
  issuers: TIssuers,
  config: JwtContextConfig = {},
): (opts: JwtContextOptions | ServerCallOptions) => JwtContext<IssuedToken<TIssuers>> {
  objectOf(config, "options", { names: CONFIG_NAMES, kind: "a createJwtContext option" });
  const { connectionParam = "token", cookies } = config;
  nonEmptyString(connectionParam, "connectionParam");
  const onRefused = functionOf(config.onRefused, "onRefused");
  const source = tokenSourceOf(issuers);
  const settings = {
    connectionParam,
    onRefused,
    cookies: cookies === undefined ? undefined : cookieSettings(cookies),
    traceSubject: traceSubject(config.telemetry),
    trustedProxies: trustedProxiesOf(config.trustedProxies),
  };
  return (opts) => ({ jwt: new JwtRequest<IssuedToken<TIssuers>>(source, requestOptions(opts), settings) });
}

function traceSubject(telemetry: JwtTelemetryOptions | undefined): boolean {
  if (telemetry === undefined) return true;
  objectOf(telemetry, "telemetry", { names: TELEMETRY_NAMES, kind: "a telemetry option", prefix: "telemetry." });
  return booleanOf(telemetry.subject, true, "telemetry.subject");
}

// A server-side call's headers stand in for a request with no method and no response.
function requestOptions(opts: JwtContextOptions | ServerCallOptions): JwtContextOptions {
  if ("req" in opts) return opts;
  const { headers } = opts;
  if (typeof headers?.get !== "function") throw new JwtConfigError("headers", "must be a Headers object (createContext({ headers }))");
  return { req: { headers } as unknown as Request };
}
