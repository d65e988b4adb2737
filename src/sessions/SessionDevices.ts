import { JwtConfigError } from "../errors.js";
import type { ListedSession, SessionDevice, SessionListing } from "../stores/SessionInventory.js";
import type { TokenStore } from "../stores/TokenStore.js";
import type { JwtToken } from "../tokens/JwtToken.js";
import { refOf, requireSub, storeCall } from "./sessionClaims.js";

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
// A user agent is untrusted text of any length: what is kept of it is bounded, never refused.
const MAX_USER_AGENT = 512;
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
 * const devices = new SessionDevices(store, Date.now);
 * devices.used(token); // on every use: at most one store write a minute for its session
 * ```
 */
export class SessionDevices {
  readonly #store: TokenStore | undefined;
  readonly #clock: () => number;
  // sid -> when this process last wrote (or had the store decide about) its use, in ms.
  readonly #written = new Map<string, number>();

  constructor(store: TokenStore | undefined, clock: () => number) {
    this.#store = store;
    this.#clock = clock;
  }

  /** The listing of a session starting now; `device`'s fields checked (JwtConfigError naming one; its other fields are the login's). */
  listing(sid: string, device: SessionDevice | undefined, nowMs: number): SessionListing {
    this.#remember(sid, nowMs);
    if (device === undefined) return { createdAtMs: nowMs };
    const { userAgent, ip } = device;
    if (userAgent !== undefined && typeof userAgent !== "string") throw new JwtConfigError("userAgent", "must be a string");
    if (ip !== undefined && typeof ip !== "string") throw new JwtConfigError("ip", "must be a string");
    return {
      createdAtMs: nowMs,
      ...(userAgent === undefined ? {} : { userAgent: userAgent.slice(0, MAX_USER_AGENT) }),
      ...(ip === undefined ? {} : { ip }),
    };
  }

  /** A rotation of `sid` at `nowMs`: the store records it with the rotation itself. */
  rotated(sid: string, nowMs: number): void {
    this.#remember(sid, nowMs);
  }

  /** The live sessions of `sub`, newest first. */
  async list(sub: string): Promise<SessionInfo[]> {
    requireSub(sub);
    const store = this.requireInventory("listSessions");
    const listed = await storeCall(() => store.listSessions(sub, this.#clock()));
    return listed.sort((a, b) => b.createdAtMs - a.createdAtMs || (a.sid < b.sid ? -1 : 1)).map(sessionInfo);
  }

  /**
   * Revokes every other listed session of the subject of `token` (verified by the caller; every
   * session for a token without one). Resolves the token's own `sid` and the ids revoked.
   */
  async revokeOthers(token: JwtToken, unknownExpiresAtMs: number): Promise<{ sid: string | undefined; revoked: string[] }> {
    const store = this.requireInventory("revokeOtherSessions");
    const { sid } = await refOf(token);
    const revoked = await storeCall(() => store.revokeOtherSessions(token.sub, sid ?? "", unknownExpiresAtMs));
    return { sid, revoked };
  }

  /**
   * A verified token was used: for a session's token, its use is written when this process has
   * not written one for a minute. Never awaited, never fails the request (a lost write only makes
   * `lastUsedAt` older).
   */
  used(token: JwtToken): void {
    const sid = token.claims["sid"];
    const store = this.#store;
    if (typeof sid !== "string" || store?.touchSession === undefined) return;
    const nowMs = this.#clock();
    const last = this.#written.get(sid);
    if (last !== undefined && nowMs - last < USE_INTERVAL_MS) return;
    this.#remember(sid, nowMs);
    store.touchSession(token.sub, sid, nowMs, USE_INTERVAL_MS).catch(() => undefined);
  }

  /** The store, which must have a session inventory for `method` (else JwtConfigError naming `store`). */
  requireInventory(method: string): TokenStore & Required<Pick<TokenStore, "listSessions" | "revokeOtherSessions">> {
    const store = this.#store;
    if (store === undefined) throw new JwtConfigError("store", `${method}() needs a TokenStore (memoryStore() or redisStore(client))`);
    if (store.listSessions === undefined || store.revokeOtherSessions === undefined) {
      throw new JwtConfigError("store", `${method}() needs a store with a session inventory (listSessions, revokeOtherSessions)`);
    }
    return store as TokenStore & Required<Pick<TokenStore, "listSessions" | "revokeOtherSessions">>;
  }

  #remember(sid: string, nowMs: number): void {
    this.#written.delete(sid);
    this.#written.set(sid, nowMs);
    if (this.#written.size > MAX_REMEMBERED) this.#written.delete(this.#written.keys().next().value as string);
  }
}

function sessionInfo({ sid, createdAtMs, lastUsedAtMs, userAgent, ip }: ListedSession): SessionInfo {
  const info = { sid, createdAt: Math.floor(createdAtMs / 1000), lastUsedAt: Math.floor(lastUsedAtMs / 1000) };
  return { ...info, ...(userAgent === undefined ? {} : { userAgent }), ...(ip === undefined ? {} : { ip }) };
}
