import { JwtError } from "../errors.js";
import { RevocationCheck } from "../sessions/RevocationCheck.js";
import type { RevocationEvent, TokenStore } from "../stores/TokenStore.js";
import type { AuditHook } from "../telemetry/AuditEvent.js";
import { emitAudit } from "../telemetry/emitAudit.js";
import { IAT_ALLOWANCE } from "../tokens/checkRegisteredClaims.js";
import type { JwtToken } from "../tokens/JwtToken.js";
import type { Revocation } from "./Issuer.js";

/** How an identity provider's revocations are kept: from its `RemoteIssuer` options. */
export interface RemoteRevocationSettings {
  /** How many unrevoked tokens to remember between announcements. */
  readonly cacheSize: number;
  /** Seconds. */
  readonly clockTolerance: number;
  /** Seconds: the longest one of its access tokens may live (`exp - iat`). */
  readonly maxTokenLifetime: number;
  readonly clock: () => number;
  /** Told of each logout done. */
  readonly audit: AuditHook | undefined;
}

/** What a back-channel logout ends: a provider session (`sid`), else every session of `sub`. */
export interface LogoutRequest {
  /** The logout token's id: each is acted on once. */
  readonly jti: string;
  readonly sid: string | undefined;
  readonly sub: string | undefined;
  /** Until when (ms) the logout token itself could be presented again: its id is kept that long. */
  readonly replayableUntilMs: number;
}

// A separator no issuer URL, sid or sub a provider issues contains in practice: the provider's ids
// can neither collide with our own (which never start with it) nor with another provider's.
const SEPARATOR = "\u001f";

/**
 * The revocations of one identity provider's access tokens in a shared `TokenStore`: the one
 * remembered-verdict check (`RevocationCheck`), with every id the provider issues filed under a
 * namespace of its issuer, so that its `sid` or `sub` never revokes our own tokens' or another
 * provider's. A token that claims a longer life than `maxTokenLifetime` is refused
 * (TOKEN_INVALID): a logout is kept that long, and no token may outlive it. Module-internal.
 *
 * @example
 * ```ts
 * const revocation = new RemoteRevocation("https://idp.example.com/", store, settings);
 * await revocation.logout({ jti, sid, sub, replayableUntilMs });
 * ```
 */
export class RemoteRevocation implements Revocation {
  readonly #store: TokenStore;
  readonly #settings: RemoteRevocationSettings;
  readonly #namespace: string;
  readonly #check: RevocationCheck;

  constructor(issuer: string, store: TokenStore, settings: RemoteRevocationSettings) {
    this.#store = store;
    this.#settings = settings;
    this.#namespace = `oidc${SEPARATOR}${issuer}${SEPARATOR}`;
    // The provider's clock may be as far ahead as an accepted iat (plus a second: iat is whole
    // seconds): a token it issued before a sub-wide logout counts as revoked until surely younger.
    this.#check = new RevocationCheck(store, settings.cacheSize, { skewMs: this.#aheadS() * 1000 + 1000, namespace: this.#namespace });
  }

  /** The token itself when nothing revokes it; else rejects with `JwtError` (as `RevocationCheck.check`). */
  check(token: JwtToken): JwtToken | Promise<JwtToken> {
    if (token.exp - token.iat > this.#settings.maxTokenLifetime) return Promise.reject(new JwtError("TOKEN_INVALID"));
    return this.#check.check(token);
  }

  /** Calls `onRevoked` once if `token` is revoked while watched (see `RevocationCheck.watch`). */
  watch(token: JwtToken, onRevoked: (error: JwtError) => void): () => void {
    return this.#check.watch(token, onRevoked);
  }

  /**
   * Ends what a verified logout token names, through the store, in every process sharing it: the
   * session `sid`, else every token of `sub` issued before the token's first delivery. The logout
   * token's `jti` is marked used first (atomically, in the store: `consumeRefreshToken`'s
   * set-if-absent, under this provider's namespace), which also fixes that first delivery's time.
   * A later delivery of the same token does what is still undone, as of that time: nothing when
   * the store already holds the revocation (a replay: resolves `false`), else the revocation the
   * first delivery could not write (the provider retrying after a 503), which revokes nothing
   * issued after the first delivery, so a replay never acts as a new logout. A store failure
   * rejects with `JwtError("STORE_UNAVAILABLE")`.
   */
  async logout({ jti, sid, sub, replayableUntilMs }: LogoutRequest): Promise<boolean> {
    const ns = this.#namespace;
    const nowMs = this.#settings.clock();
    const event: RevocationEvent = sid !== undefined ? { kind: "session", id: ns + sid } : { kind: "subject", id: ns + (sub as string) };
    try {
      const tokenId = `${ns}logout${SEPARATOR}${jti}`;
      const firstMs = await this.#store.consumeRefreshToken(tokenId, nowMs, replayableUntilMs);
      const atMs = firstMs ?? nowMs;
      if (firstMs !== undefined && (await this.#isRevoked(event, tokenId, atMs))) return false;
      // Every access token issued before then is gone by this time (its iat as far ahead as one
      // is accepted); the record must outlive them all.
      const untilMs = atMs + (this.#settings.maxTokenLifetime + this.#aheadS()) * 1000;
      if (event.kind === "session") await this.#store.revokeSession(event.id, untilMs);
      else await this.#store.revokeSubject(event.id, atMs, untilMs);
    } catch {
      throw new JwtError("STORE_UNAVAILABLE");
    }
    // This process enforces it at once, without waiting for the store's announcement.
    this.#check.apply(event);
    emitAudit(this.#settings.audit, { event: "backchannelLogout", sub: sub ?? "", ...(sid === undefined ? {} : { sid }), at: nowMs });
    return true;
  }

  // Seconds the provider's iat may be ahead of our clock and still be accepted.
  #aheadS(): number {
    return this.#settings.clockTolerance + IAT_ALLOWANCE;
  }

  // Whether the store holds the revocation a logout first delivered at `atMs` writes.
  async #isRevoked(event: RevocationEvent, tokenId: string, atMs: number): Promise<boolean> {
    const session = event.kind === "session";
    const state = await this.#store.revocationState({ tokenId, sid: session ? event.id : undefined, sub: session ? "" : event.id });
    return session ? state.session?.revoked === true : state.subjectGeneration >= atMs;
  }
}
