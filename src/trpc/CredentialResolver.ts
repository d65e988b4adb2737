import type { TRPCError } from "@trpc/server";
import type { JwtError } from "../errors.js";
import type { TokenSource } from "../issuers/tokenSourceOf.js";
import { findStepUpFailure, type StepUpRules } from "../policy/findStepUpFailure.js";
import { asRefusal, reasonOf, refused } from "../refusals/refused.js";
import { challengeOf, stepUpRefusal } from "../refusals/stepUpRefusal.js";
import { appendResponseHeader } from "./appendResponseHeader.js";
import type { trustedProxiesOf } from "./clientIp.js";
import { wwwAuthenticate } from "./wwwAuthenticate.js";
import { callHook } from "../telemetry/callHook.js";
import { guardTelemetry } from "../telemetry/guardTelemetry.js";
import { JwtToken, type TokenType } from "../tokens/JwtToken.js";
import type { CookieSettings } from "./cookies/cookieSettings.js";
import { crossSiteFailure } from "./cookies/crossSiteCheck.js";
import type { RefusalEvent } from "./RefusalEvent.js";
import { eitherCredential, readAuthorization, readConnectionParam, readCookie, type Credential, type JwtContextOptions } from "./readCredential.js";

/** Where to look for a token and what type it must be. */
export interface TokenRequirement {
  /** `"auth"` (default) or `"refresh"`. */
  readonly type?: TokenType | undefined;
  /** Read the named cookie instead of the `Authorization` header. */
  readonly cookie?: string | undefined;
}

/**
 * What a guard asks of the token beyond its location and type: the login behind it (`acr`,
 * `amr`, `auth_time`; else `STEP_UP_REQUIRED` or `TOKEN_NOT_FRESH`). Module-internal.
 */
export interface GuardRequirement extends TokenRequirement, StepUpRules {
  /** An API key in the `Authorization` header is accepted too (`requireToken({ apiKey: true })`). */
  readonly apiKey?: boolean | undefined;
}

/** The settings of one `createJwtContext`, validated there. Module-internal. */
export interface RequestSettings {
  readonly connectionParam: string;
  readonly onRefused: ((event: RefusalEvent) => unknown) | undefined;
  readonly cookies: CookieSettings | undefined;
  /** Whether traces may carry the caller's `sub` as `enduser.id` (`telemetry: { subject }`). */
  readonly traceSubject: boolean;
  /** The `trustedProxies` option, parsed. */
  readonly trustedProxies: ReturnType<typeof trustedProxiesOf>;
}

// Where a token verified on a request was first found: a cookie's name, or undefined for the header.
type Location = { readonly cookie: string | undefined };
const HEADER: Location = Object.freeze({ cookie: undefined });
const ignore = () => undefined;
// Refusals told already: once each, however many guards they pass on the way back.
const REPORTED = new WeakSet<TRPCError>();

/** A token, known now or being verified. */
export type Slot = JwtToken | Promise<JwtToken>;

/**
 * The caller's credentials on one request (or one WebSocket connection): finds the credential
 * at the location a requirement names, verifies each location at most once (the header, or the
 * WebSocket connection param, and each named cookie are separate slots), and checks the token on
 * every use (expiry, type, freshness, cross-site use of a cookie, revocation). Held by the
 * `ctx.jwt` facade (`JwtRequest`) and by the guards, which reach it as `ctx.jwt[CREDENTIALS]`.
 * Throws or rejects with refusals (`JwtError`). Module-internal (not exported from the package).
 *
 * @example
 * ```ts
 * const found = credentials.requested({ type: "auth", maxAuthAge: 300 }, ctx.token);
 * ```
 */
export class CredentialResolver {
  // A credential found in one location is never the credential of a procedure that reads another.
  #header: Slot | undefined;
  // The header's credential read as an API key: apart from #header, where it is an invalid JWT.
  #apiKey: Slot | undefined;
  // Made on first use (most requests read the header alone): the cookies' slots, and where each
  // token verified on this request was found, but for the first from the header (#headerToken).
  #cookies: Map<string, Slot> | undefined;
  #headerToken: JwtToken | undefined;
  #locations: WeakMap<JwtToken, Location> | undefined;

  constructor(
    /** The issuers' verifier, clocks and revocation checks. */
    readonly source: TokenSource,
    /** The adapter's `createContext` options: the request, and where the response is. */
    readonly opts: JwtContextOptions,
    readonly settings: RequestSettings,
  ) {}

  /**
   * For the guards: the caller's token of the required type, returned as is when it is already
   * known (a cache hit, or verified earlier on this request), else a promise. `current` is the
   * `ctx.token` an earlier guard put in the context: when this request verified it and it is of
   * the required type, it is reused with its location instead of looking again (a rule added to
   * a cookie-authenticated base procedure, say), unless the requirement names another location.
   */
  requested(requirement: GuardRequirement, current: unknown): Slot {
    return this.#reuse(requirement, current) ?? this.find(requirement);
  }

  /** The token at the location `requirement` names (the session cookie when no header is sent), checked. */
  find(requirement: GuardRequirement): Slot {
    const key = requirement.apiKey === true ? this.#apiKeyAt() : undefined;
    if (key !== undefined) return andThen(key, (token) => this.#check(token, requirement, undefined));
    const cookie = requirement.cookie ?? this.#sessionCookie(requirement.type ?? "auth");
    let found = cookie === undefined ? this.#header : this.#cookies?.get(cookie);
    if (found === undefined) {
      found = this.#verifyAt(cookie);
      this.#store(cookie, found);
    }
    return andThen(found, (token) => this.#check(token, requirement, cookie));
  }

  /**
   * Tells the context's `onRefused` hook, if any, and OpenTelemetry (when installed) about
   * `refusal`, the `TRPCError` the caller gets on `path`, once. The hook can neither throw nor
   * reject into the response. A step-up refusal also puts its RFC 9470 `WWW-Authenticate`
   * challenge on this request's HTTP response; where there is none (a WebSocket, a server-side
   * call) or its headers are gone (a streamed batch), the error data alone carries the challenge.
   */
  report(refusal: TRPCError, path: string): void {
    if (REPORTED.has(refusal)) return;
    REPORTED.add(refusal);
    const error = refusal.cause as JwtError;
    const reason = reasonOf(error);
    guardTelemetry.refused(error.code, reason, refusal);
    const hook = this.settings.onRefused;
    if (hook !== undefined) callHook(hook, Object.freeze({ code: error.code, reason, path }));
    const challenge = challengeOf(error);
    if (challenge !== undefined) appendResponseHeader(this.opts, "www-authenticate", [wwwAuthenticate(challenge)]);
  }

  /** Tells OpenTelemetry (when installed) who the caller is: `token` passed a guard. */
  passed(token: JwtToken): void {
    guardTelemetry.passed(this.settings.traceSubject ? token.sub : undefined, token.type);
  }

  #reuse(requirement: GuardRequirement, current: unknown): Slot | undefined {
    const { type = "auth", cookie } = requirement;
    if (!(current instanceof JwtToken) || current.tokenType !== type) return undefined;
    const location = this.#locationOf(current);
    if (location === undefined || (cookie !== undefined && cookie !== location.cookie)) return undefined;
    return this.#check(current, requirement, location.cookie);
  }

  // With the `cookies` option, a request that sends no Authorization header (no WebSocket
  // connection param) is authenticated by the session cookie of the required type.
  #sessionCookie(type: TokenType): string | undefined {
    const cookies = this.settings.cookies;
    if (cookies === undefined || this.#header !== undefined || this.#headerCredential().kind !== "none") return undefined;
    return cookies.names[type];
  }

  #headerCredential(): Credential {
    return eitherCredential(readAuthorization(this.opts.req), readConnectionParam(this.opts, this.settings.connectionParam));
  }

  #store(cookie: string | undefined, found: Slot): void {
    if (cookie === undefined) this.#header = found;
    else (this.#cookies ??= new Map()).set(cookie, found);
    if (!(found instanceof Promise)) return this.#located(found, cookie);
    // Once settled, later calls on this request (a batch, a WebSocket) need not wait a tick.
    found.then((token) => this.#store(cookie, token), ignore);
  }

  // The API key in the header (or WebSocket connection param), verified once per request;
  // undefined when the credential there has no API key prefix (it is read as a JWT).
  #apiKeyAt(): Slot | undefined {
    if (this.#apiKey !== undefined) return this.#apiKey;
    const credential = this.#headerCredential();
    const verify = this.source.apiKey;
    if (credential.kind !== "one" || verify === undefined) return undefined;
    const found = refusing(() => verify(credential.value));
    if (found instanceof Promise) found.then((token) => this.#located(token, undefined), ignore);
    else if (found !== undefined) this.#located(found, undefined);
    this.#apiKey = found;
    return found;
  }

  #located(token: JwtToken, cookie: string | undefined): void {
    if (this.#locationOf(token) !== undefined) return;
    if (cookie === undefined && this.#headerToken === undefined) this.#headerToken = token;
    else (this.#locations ??= new WeakMap()).set(token, { cookie });
  }

  #locationOf(token: JwtToken): Location | undefined {
    return token === this.#headerToken ? HEADER : this.#locations?.get(token);
  }

  // Expiry, freshness and revocation are re-checked on every use: a WebSocket connection
  // outlives its token, and may outlive its session. The login behind the token (freshness,
  // step-up) is a property of the token too (401, before requireToken's 403 rules), and no
  // override skips it. Without a store, all synchronous.
  // A token from a cookie (any cookie: the browser sends them all) is also checked against
  // cross-site use, before anything is read from the store.
  #check(token: JwtToken, requirement: GuardRequirement, cookie: string | undefined): Slot {
    // An API key passed on by an earlier guard that accepts keys is refused by one that does not.
    if (token.type === "apikey" && requirement.apiKey !== true) throw refused("TOKEN_INVALID", "credential");
    if (!this.source.isUnexpired(token)) throw refused("TOKEN_EXPIRED", "expired");
    if (token.tokenType !== (requirement.type ?? "auth")) throw refused("TOKEN_WRONG_TYPE", "type");
    if (cookie !== undefined) {
      const failure = crossSiteFailure(this.opts, token, this.settings.cookies);
      if (failure !== undefined) throw refused("CSRF_MISMATCH", failure);
    }
    const { unrevoked } = this.source;
    if (unrevoked === undefined) return this.#loggedInEnough(token, requirement);
    return andThen(
      refusing(() => unrevoked(token)),
      (unrevokedToken) => this.#loggedInEnough(unrevokedToken, requirement),
    );
  }

  // The step-up rules come after expiry and revocation: a token that is over (expired, revoked)
  // must tell the client to log out, not to step up a login that has ended.
  #loggedInEnough(token: JwtToken, requirement: GuardRequirement): JwtToken {
    if (requirement.maxAuthAge === undefined && requirement.acr === undefined && requirement.amr === undefined) return token;
    const failure = findStepUpFailure(requirement, token, Math.floor(this.source.now(token) / 1000));
    if (failure !== undefined) throw stepUpRefusal(failure.code, failure.reason, failure.challenge);
    return token;
  }

  #verifyAt(cookie: string | undefined): Slot {
    const credential: Credential = cookie === undefined ? this.#headerCredential() : readCookie(this.opts.req, cookie);
    if (credential.kind === "none") return Promise.reject(refused("TOKEN_MISSING", "missing"));
    if (credential.kind === "bad") return Promise.reject(refused("TOKEN_INVALID", "credential"));
    return refusing(() => this.source.verify(credential.value));
  }
}

// `next` applied to a token now, or once it is verified: no promise hop when it is known.
function andThen(found: Slot, next: (token: JwtToken) => Slot): Slot {
  return found instanceof Promise ? found.then(next) : next(found);
}

// What `verify` finds, its failure (thrown or rejected) as the refusal the caller gets.
function refusing(verify: () => Slot): Slot;
function refusing(verify: () => Slot | undefined): Slot | undefined;
function refusing(verify: () => Slot | undefined): Slot | undefined {
  try {
    const found = verify();
    return found instanceof Promise ? found.catch((error: unknown) => Promise.reject(asRefusal(error))) : found;
  } catch (error) {
    return Promise.reject(asRefusal(error));
  }
}
