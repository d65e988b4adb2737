import { JwtConfigError, JwtError, refusal } from "../errors.js";
import type { KeptSession, ListedSession, SessionDevice, SessionListing } from "../stores/SessionInventory.js";
import { SUBJECT_GENERATION } from "../tokens/reservedClaims.js";
import type { TokenStore } from "../stores/TokenStore.js";
import type { JwtToken } from "../tokens/JwtToken.js";
import { refOf, requireId, requireStore, storeCall } from "./sessionClaims.js";

/** One session of `auth.listSessions`: times in seconds since the epoch, as in tokens. */
export interface SessionInfo {
  readonly sid: string;
  /** When the user logged in. */
  readonly createdAt: number;
  /** The session's last recorded use: a rotation, or a request (recorded at most once a minute). */
  readonly lastUsedAt: number;
  /** As passed to `login`. */
  readonly userAgent?: string;
  /** As passed to `login`. */
  readonly ip?: string;
}

/** How often, at most, a session's use is written: a busy session costs one write a minute. */
export const USE_INTERVAL_MS = 60_000;
// A user agent and an ip are untrusted text of any length (a header, a hash the app chose): what
// is kept of each is bounded, never refused.
const MAX_DEVICE_TEXT = 512;
// Sessions whose last write this process remembers; beyond it the oldest are forgotten (one
// more conditional write each, never one per request).
const MAX_REMEMBERED = 10_000;

/**
 * The session inventory as the manager uses it: the listing a login records, `listSessions`,
 * and the uses of session tokens, written at most once a minute per session (this process
 * remembers when it last wrote; the store's script refuses a write within a minute of another
 * process's). Module-internal.
 *
 * @example
 * ```ts
 * const devices = new SessionDevices(store, Date.now, "my-api");
 * devices.used(token); // on every use: at most one store write a minute for its session
 * ```
 */
export class SessionDevices {
  readonly #store: TokenStore | undefined;
  readonly #clock: () => number;
  readonly #issuer: string;
  // sid -> when this process last wrote (or had the store decide about) its use, in ms.
  readonly #written = new Map<string, number>();

  /** `issuer`: the manager's; its sessions are listed (and ended) apart from other managers' sharing the store. */
  constructor(store: TokenStore | undefined, clock: () => number, issuer: string) {
    this.#store = store;
    this.#clock = clock;
    this.#issuer = issuer;
  }

  /** The listing of a session starting now; `device`'s fields checked (JwtConfigError naming one; its other fields are the login's). */
  listing(device: SessionDevice | undefined, nowMs: number): SessionListing {
    const issuer = this.#issuer;
    if (device === undefined) return { createdAtMs: nowMs, issuer };
    const { userAgent, ip } = device;
    if (userAgent !== undefined && typeof userAgent !== "string") throw new JwtConfigError("userAgent", "must be a string");
    if (ip !== undefined && typeof ip !== "string") throw new JwtConfigError("ip", "must be a string");
    return {
      createdAtMs: nowMs,
      issuer,
      ...(userAgent === undefined ? {} : { userAgent: userAgent.slice(0, MAX_DEVICE_TEXT) }),
      ...(ip === undefined ? {} : { ip: ip.slice(0, MAX_DEVICE_TEXT) }),
    };
  }

  /**
   * What a session of `token` (its refresh or auth token) is listed with when the store does not
   * list it (one from before the inventory, or whose listing was evicted): created at its `auth_time`.
   */
  relisting(token: JwtToken): SessionListing {
    const authTime = token.claims["auth_time"];
    return { createdAtMs: typeof authTime === "number" ? authTime * 1000 : this.#clock(), issuer: this.#issuer };
  }

  /** The live sessions of `sub` of this manager, newest first. */
  async list(sub: string): Promise<SessionInfo[]> {
    requireId(sub, "sub");
    const store = this.requireInventory("listSessions");
    const listed = await storeCall(() => store.listSessions(sub, this.#clock(), this.#issuer));
    return listed.sort((a, b) => b.createdAtMs - a.createdAtMs || (a.sid < b.sid ? -1 : 1)).map(sessionInfo);
  }

  /**
   * Revokes every other session of this manager listed for the subject of `token` (verified by
   * the caller; every session for a token without one), refusing with `TOKEN_REVOKED` in the
   * store's same atomic step when the token's own session or the token is revoked. Resolves the
   * token's own `sid` and the ids revoked.
   */
  async revokeOthers(token: JwtToken, unknownExpiresAtMs: number): Promise<{ sid: string | undefined; revoked: string[] }> {
    const store = this.requireInventory("revokeOtherSessions");
    const { sid, tokenId } = await refOf(token);
    const generation = token.claims[SUBJECT_GENERATION];
    const keep: KeptSession = {
      sub: token.sub,
      issuer: this.#issuer,
      sid,
      tokenId,
      subjectGeneration: typeof generation === "number" ? generation : undefined,
      listing: this.relisting(token),
    };
    const revoked = await storeCall(() => store.revokeOtherSessions(keep, this.#clock(), unknownExpiresAtMs));
    if (revoked === undefined) throw refusal("TOKEN_REVOKED");
    return { sid, revoked };
  }

  /**
   * `TOKEN_REVOKED` when a sessionless refresh token was issued before a `revokeOtherSessions` of
   * its subject (that kept a session): then it starts no session. Whole seconds (`iat`), so a
   * token issued within the second after the call counts as before it (fails closed). Resolves
   * `STORE_UNAVAILABLE` when the store cannot say, `undefined` when the token may go on.
   */
  async othersCallRefusal(token: JwtToken): Promise<JwtError | undefined> {
    const store = this.#store;
    if (store?.othersRevokedAt === undefined) return undefined;
    try {
      const at = await store.othersRevokedAt(token.sub, this.#issuer);
      return at !== 0 && token.iat * 1000 < at + 1000 ? refusal("TOKEN_REVOKED") : undefined;
    } catch {
      return refusal("STORE_UNAVAILABLE");
    }
  }

  /**
   * A verified token was used: for a session's token, its use is written when neither its pair's
   * issue (the login or rotation that wrote the session's use then) nor this process's last write
   * is a minute old. Never awaited, never fails the request (a lost write only makes `lastUsedAt`
   * older).
   */
  used(token: JwtToken): void {
    const sid = token.claims["sid"];
    const store = this.#store;
    if (typeof sid !== "string" || store?.touchSession === undefined) return;
    const nowMs = this.#clock();
    // A token exists only once the store has recorded its login or rotation (lastUsedAt = then):
    // until a minute after its iat there is nothing to write, in this process or any other, and
    // nothing to remember (a login or rotation used to cost a remembered entry each). `iat` is
    // whole seconds, up to 999 ms before the time the store recorded: counted from the end of its
    // second, so that the first write is never one the store still refuses (a round trip for
    // nothing, and this process would then wait a minute more).
    if (nowMs - (token.iat + 1) * 1000 < USE_INTERVAL_MS) return;
    const last = this.#written.get(sid);
    if (last !== undefined && nowMs - last < USE_INTERVAL_MS) return;
    this.#remember(sid, nowMs);
    store.touchSession(token.sub, sid, nowMs, USE_INTERVAL_MS).catch(() => undefined);
  }

  /** The store, which must have a session inventory for `method` (else JwtConfigError naming `store`). */
  requireInventory(method: string): TokenStore & Required<Pick<TokenStore, "listSessions" | "revokeOtherSessions">> {
    const store = requireStore(this.#store, method);
    if (store.listSessions === undefined || store.revokeOtherSessions === undefined) {
      throw new JwtConfigError("store", `${method}() needs a store with a session inventory (listSessions, revokeOtherSessions)`);
    }
    return store as TokenStore & Required<Pick<TokenStore, "listSessions" | "revokeOtherSessions">>;
  }

  // Deleted first, so that the map's order stays oldest write first.
  #remember(sid: string, nowMs: number): void {
    this.#written.delete(sid);
    this.#written.set(sid, nowMs);
    if (this.#written.size <= MAX_REMEMBERED) return;
    // The oldest half at once: forgetting one per login cost a walk over the holes the earlier
    // deletions left at the front of the map (14,000 instructions a login, callgrind).
    let forget = this.#written.size - MAX_REMEMBERED / 2;
    for (const old of this.#written.keys()) {
      if (forget-- === 0) break;
      this.#written.delete(old);
    }
  }
}

function sessionInfo({ sid, createdAtMs, lastUsedAtMs, userAgent, ip }: ListedSession): SessionInfo {
  const info = { sid, createdAt: Math.floor(createdAtMs / 1000), lastUsedAt: Math.floor(lastUsedAtMs / 1000) };
  return { ...info, ...(userAgent === undefined ? {} : { userAgent }), ...(ip === undefined ? {} : { ip }) };
}
