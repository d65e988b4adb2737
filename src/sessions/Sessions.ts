import { isRefusal, JwtConfigError, JwtError, refusal } from "../errors.js";
import type { JsonObject, JsonValue } from "../tokens/json.js";
import { JwtToken, type TokenType } from "../tokens/JwtToken.js";
import { loginClaims, type LoginOptions } from "./loginOptions.js";
import { randomId } from "./randomId.js";
import { RevocationCheck } from "./RevocationCheck.js";
import { SessionDevices } from "./SessionDevices.js";
import { latestExpiry, pairExpiry, tokenExpiry } from "./sessionExpiry.js";
import { adoptedSession, asRefusal, refOf, requireId, requireStore, sessionClaimsOf, sessionData, storeCall } from "./sessionClaims.js";
import type { SessionClaims, SessionOptions, SessionSigner, SessionUpdate, TokenPair } from "./sessionTypes.js";
import type { TokenStore } from "../stores/TokenStore.js";
import type { AuditEventName } from "../telemetry/AuditEvent.js";
import { emitAudit } from "../telemetry/emitAudit.js";

// A rejection kept as a value: a failure read now, told later.
const keepError = (error: unknown): unknown => error;

export type { SessionClaims, SessionOptions, SessionSigner, SessionUpdate, TokenPair } from "./sessionTypes.js";

/**
 * Login, single-use refresh tokens with reuse detection, and revocation: the logic behind `AuthManager.login`, `rotate`,
 * `revoke`, `revokeSession`, `revokeSubject` and `revokeOtherSessions`, kept apart from signing so it can be read on its own.
 */
export class Sessions {
  readonly #signer: SessionSigner;
  readonly #options: SessionOptions;
  /**
   * The revocation check for verified tokens, or `undefined` without a store (then nothing is checked: verification as fast as without sessions).
   */
  readonly revocationCheck: RevocationCheck | undefined;
  /** The session inventory: `listSessions`, and the uses of session tokens. */
  readonly devices: SessionDevices;

  constructor(signer: SessionSigner, options: SessionOptions) {
    this.#signer = signer;
    this.#options = options;
    const { store, cacheSize, clockTolerance, clock, issuer } = options;
    const devices = (this.devices = new SessionDevices(store, clock, issuer));
    this.revocationCheck = store && new RevocationCheck(store, cacheSize, { skewMs: (clockTolerance + 1) * 1000, used: (token) => devices.used(token) });
  }

  /** A new session: an auth and a refresh token sharing `sid`, `auth_time`, `csrf` and the login's `acr`/`amr`. */
  async login(sub: string, scope?: JsonValue, claims?: JsonObject, options?: LoginOptions): Promise<TokenPair> {
    const nowMs = this.#options.clock();
    const auth_time = Math.floor(nowMs / 1000);
    // Without options, no spread: every login's session then has one shape (issuing reads it twice).
    const session: SessionClaims =
      options === undefined ? { sid: randomId(), auth_time, csrf: randomId() } : { sid: randomId(), auth_time, csrf: randomId(), ...loginClaims(options) };
    const listing = this.devices.listing(options, nowMs);
    const issued = this.#signer.issuePair(sub, scope, claims, session, 0);
    const pair = issued instanceof Promise ? await issued : issued;
    const store = this.#options.store;
    if (store !== undefined) await storeCall(() => store.createSession(session.sid, sessionData(sub, scope, claims), pairExpiry(pair, this.#options), listing));
    this.#audit("login", sub, session.sid, options?.ip);
    return pair;
  }

  /** Every session of the token's subject but its own ends, here at once, elsewhere by announcement; resolves how many. */
  async revokeOtherSessions(token: string | JwtToken): Promise<number> {
    this.devices.requireInventory("revokeOtherSessions");
    const verified = await this.#presented(token);
    // The whole revocation state first; the store checks the kept session in its atomic step.
    await (this.revocationCheck as RevocationCheck).lookup(verified).catch(asRefusal);
    const { sid, revoked } = await this.devices.revokeOthers(verified, latestExpiry(this.#options));
    for (const other of revoked) this.revocationCheck?.apply({ kind: "session", id: other });
    this.#audit("revokeOtherSessions", verified.sub, sid);
    return revoked.length;
  }

  /**
   * Uses up a refresh token for a new pair in the same session; a second use is reuse. A
   * sessionless refresh token of this manager (the Quick start's) starts a session, once.
   */
  async rotate(refresh: string | JwtToken, update?: SessionUpdate): Promise<TokenPair> {
    const store = requireStore(this.#options.store, "rotate");
    const check = this.revocationCheck as RevocationCheck;
    const token = await this.#presented(refresh, "refresh");
    const { tokenId, sid } = await refOf(token);
    const { rot, ...session } = sid === undefined ? await adoptedSession(token) : sessionClaimsOf(token);
    // Revoked or not is read before the token is used up, and told only after: of concurrent calls with one token exactly one
    // wins the consume and gets its pair, every other one is reuse, whatever the winner's reuse-triggered revocation did since.
    const revoked = await check.lookup(token).then(() => undefined, keepError);
    if (revoked instanceof JwtError && revoked.code === "STORE_UNAVAILABLE") throw refusal(revoked.code);
    const nowMs = this.#options.clock();
    // A sessionless token has a used-mark of its own; a session's, its rotation. A session's token from before rotations were
    // counted has no `rot` (rotation 0, unused by a session stored then): its used-mark is read first (used before: reuse).
    const firstUse = await storeCall(async () => {
      const marked =
        sid === undefined || token.claims["rot"] === undefined ? await store.consumeRefreshToken(tokenId, nowMs, tokenExpiry(token, this.#options)) : undefined;
      return sid === undefined || marked !== undefined ? marked : store.consumeRotation(session.sid, rot ?? 0, nowMs);
    });
    // Within the grace a parallel refresh with the same token is not reuse. The first use may come
    // from another process whose clock is slightly ahead; a grace of 0 is never met.
    if (firstUse !== undefined && !(Math.abs(nowMs - firstUse) < this.#options.rotationGrace * 1000)) {
      // Reuse: whoever holds the newest tokens of this session may be the thief, so all of them end. Once: a session already
      // revoked is not revoked and announced to every process again on each presentation of the used token (each announcement
      // makes every process scan its verdicts).
      const stored = await store.loadSession(session.sid).catch(() => undefined);
      if (stored?.revoked !== true) await this.#revokeSession(store, session.sid).catch(() => undefined);
      this.#audit("reuseDetected", token.sub, session.sid);
      throw refusal("TOKEN_REUSED");
    }
    if (revoked !== undefined) asRefusal(revoked);
    if (sid === undefined && firstUse === undefined) return this.#adopt(store, check, token, session, update);
    const stored = await storeCall(() => store.loadSession(session.sid));
    if (stored === undefined) throw refusal("TOKEN_REVOKED");
    if (stored.sub !== token.sub) throw refusal("TOKEN_INVALID");
    const scope = update !== undefined && Object.hasOwn(update, "scope") ? update.scope : stored.scope;
    const claims = update !== undefined && Object.hasOwn(update, "claims") ? update.claims : stored.claims;
    // Grace twins share a rotation: an adopted session's first pair is rotation 0.
    const pair = await this.#signer.issuePair(token.sub, scope, claims, session, sid === undefined ? 0 : (rot ?? 0) + 1);
    // A session the store did not list is listed now, unless a revokeOtherSessions missed it (false): then it ends.
    const data = sessionData(token.sub, scope, claims);
    const listed = await storeCall(() => store.updateSession(session.sid, data, pairExpiry(pair, this.#options), nowMs, this.devices.relisting(token)));
    if (listed === false) return this.#revokeSession(store, session.sid).then(() => asRefusal(refusal("TOKEN_REVOKED")));
    this.#audit("rotate", token.sub, session.sid);
    return pair;
  }

  /**
   * Logout for any token: a token of a session ends its session (every token of that login);
   * any other token is revoked until it would have expired. An expired token needs nothing.
   */
  async revoke(token: string | JwtToken): Promise<void> {
    const store = requireStore(this.#options.store, "revoke");
    const verified = await this.#presented(token).catch((error: unknown) => {
      if (isRefusal(error) && error.code === "TOKEN_EXPIRED") return undefined;
      throw error;
    });
    if (verified === undefined) return;
    const { tokenId, sid } = await refOf(verified);
    if (sid !== undefined) await this.#revokeSession(store, sid);
    else {
      await storeCall(() => store.revokeToken(tokenId, tokenExpiry(verified, this.#options)));
      this.revocationCheck?.apply({ kind: "token", id: tokenId });
    }
    this.#audit("revoke", verified.sub, sid);
  }

  /**
   * Revokes every token of one login, the newest included. Audited with the session's subject, read from the store after the
   * revocation (off the caller's path); a session the store does not know (expired, never started) had none left: not audited.
   */
  async revokeSession(sid: string): Promise<void> {
    const store = requireStore(this.#options.store, "revokeSession");
    requireId(sid, "sid");
    await this.#revokeSession(store, sid);
    if (this.#options.audit === undefined) return;
    const at = this.#options.clock();
    store.loadSession(sid).then(
      (stored) => {
        if (stored !== undefined && stored.sub !== "") emitAudit(this.#options.audit, { event: "revokeSession", sub: stored.sub, sid, at });
      },
      () => undefined,
    );
  }

  /** Revokes every token of `sub` issued so far; a login afterwards works. */
  async revokeSubject(sub: string): Promise<void> {
    const store = requireStore(this.#options.store, "revokeSubject");
    requireId(sub, "sub");
    await storeCall(() => store.revokeSubject(sub, this.#options.clock(), latestExpiry(this.#options)));
    this.revocationCheck?.apply({ kind: "subject", id: sub });
    this.#audit("revokeSubject", sub);
  }

  /**
   * What a sessionless token of `sub` carries as `sub_gen`: the subject's revocation generation
   * in the store now (`undefined` without a store). Read at issue time, so that revokeSubject
   * tells the tokens issued before it from those issued after by the store's order, not by clocks.
   */
  async generationOf(sub: string): Promise<number | undefined> {
    const { store } = this.#options;
    if (store === undefined) return undefined;
    requireId(sub, "sub");
    // Only the subject's part of the state is read: the empty id is no token's.
    const state = await storeCall(() => store.revocationState({ tokenId: "", sid: undefined, sub }));
    return state.subjectGeneration;
  }

  // A token string, or a JwtToken, verified by this manager: a JwtToken may be another manager's (sharing the store, it would
  // rotate or revoke that manager's sessions), or have expired since. The verified token, a refusal, or JwtConfigError.
  async #presented(token: string | JwtToken, type?: TokenType): Promise<JwtToken> {
    const signed = token instanceof JwtToken ? token.signed : token;
    if (typeof signed !== "string") throw new JwtConfigError("token", "must be a token string or a JwtToken");
    return this.#signer.verify(signed, type).catch(asRefusal);
  }

  // The first rotation of a sessionless refresh token: its session starts now, with the scope and claims `update` gives (it has none).
  async #adopt(store: TokenStore, check: RevocationCheck, token: JwtToken, session: SessionClaims, update: SessionUpdate | undefined): Promise<TokenPair> {
    const pair = await this.#signer.issuePair(token.sub, update?.scope, update?.claims, session, 0);
    const listing = this.devices.listing(undefined, this.#options.clock());
    await storeCall(() => store.createSession(session.sid, sessionData(token.sub, update?.scope, update?.claims), pairExpiry(pair, this.#options), listing));
    // A revokeSubject between the check above and the session's start stamped the new session with its generation: asked
    // again, the token must pass, or the session ends. Nor does one issued before a revokeOtherSessions (read once listed).
    const revoked = await check.lookup(token).then(() => this.devices.othersCallRefusal(token), keepError);
    if (revoked === undefined) {
      this.#audit("rotate", token.sub, session.sid);
      return pair;
    }
    await this.#revokeSession(store, session.sid).catch(() => undefined);
    return asRefusal(revoked);
  }

  // The revocation itself, for revokeSession and for the operations that end a session on the way
  // (logout, reuse, a lost race): each of those is audited as itself, not as a revokeSession. Like
  // every revocation here, enforced by this process at once, without waiting for the echo.
  async #revokeSession(store: TokenStore, sid: string): Promise<void> {
    await storeCall(() => store.revokeSession(sid, latestExpiry(this.#options)));
    this.revocationCheck?.apply({ kind: "session", id: sid });
  }

  // The event is made only for a hook: a login without one allocates nothing for it.
  #audit(event: AuditEventName, sub: string, sid?: string, ip?: string): void {
    const { audit } = this.#options;
    if (audit === undefined) return;
    emitAudit(audit, { event, sub, ...(sid === undefined ? {} : { sid }), ...(ip === undefined ? {} : { ip }), at: this.#options.clock() });
  }
}
