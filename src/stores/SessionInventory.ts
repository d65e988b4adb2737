// The session inventory of a store: what "your devices" lists and "sign out of all other
// devices" ends. Apart from TokenStore so that the contract of revocation reads on its own.

/** What a login records about the device it came from; stored as given (hash `ip` first if you must). */
export interface SessionDevice {
  /** The client's `User-Agent`, or any label the app chooses. */
  readonly userAgent?: string | undefined;
  /** The client's address (see `createJwtContext`'s `trustedProxies`), as the app passes it. */
  readonly ip?: string | undefined;
}

/** What a store lists a session with, from its login on. */
export interface SessionListing extends SessionDevice {
  /** When the session started, in ms since the epoch. */
  readonly createdAtMs: number;
  /**
   * The `iss` of the manager whose session it is: managers sharing a store list and end only
   * their own sessions. A session listed without one counts as every issuer's.
   */
  readonly issuer?: string | undefined;
}

/** The session `revokeOtherSessions` keeps: the caller's, checked in the same atomic step. */
export interface KeptSession {
  readonly sub: string;
  /** Only this issuer's sessions end (see {@link SessionListing.issuer}). */
  readonly issuer: string;
  /** The caller's session; `undefined` for a caller's token without one (every session ends). */
  readonly sid: string | undefined;
  /** The presented token's id: a revoked mark on it refuses the call. */
  readonly tokenId: string;
  /** A sessionless token's `sub_gen`: older than the subject's generation refuses the call. */
  readonly subjectGeneration?: number | undefined;
  /** What the kept session is listed with if it was not listed (a session from before the inventory). */
  readonly listing: SessionListing;
}

/** One entry of {@link SessionInventory.listSessions}. */
export interface ListedSession extends SessionListing {
  readonly sid: string;
  /** The session's last recorded use (its login, a rotation, or a use at most once a minute), in ms. */
  readonly lastUsedAtMs: number;
}

/**
 * Optional part of a `TokenStore`: the sessions of each subject, listed with their device. A
 * store with it is given the listing at `createSession` (fourth argument) and the time of a
 * rotation at `updateSession` (fourth argument); a revoked session (by `revokeSession`,
 * `revokeSubject` or reuse) and an expired one are never listed again. `memoryStore` and
 * `redisStore` have it; `auth.listSessions` and `auth.revokeOtherSessions` need it.
 */
export interface SessionInventory {
  /** The live, unrevoked sessions of `sub` (of `issuer` when given), in any order; on Redis one round trip. */
  listSessions(sub: string, nowMs: number, issuer?: string): Promise<ListedSession[]>;
  /**
   * Records a use of a listed session at `nowMs`, unless its last recorded use is less than
   * `intervalMs` old (then nothing is written). Resolves whether it wrote.
   */
  touchSession(sub: string, sid: string, nowMs: number, intervalMs: number): Promise<boolean>;
  /**
   * Revokes every session of `keep.sub` and `keep.issuer` listed at `nowMs` but `keep.sid`, as
   * `revokeSession` does each (announced, kept until its expiry), and unlists them; the kept
   * session is listed if it was not. In the same atomic step (one script on one Redis, one
   * synchronous step in memory, the subject's slot on a cluster) it refuses, revoking nothing,
   * when the kept session is missing, revoked (by any means, including a concurrent call of this
   * method) or of another subject, or the presented token is revoked: of two concurrent calls
   * for two sessions of one subject exactly one resolves. Resolves the ids revoked, `undefined`
   * when refused.
   */
  revokeOtherSessions(keep: KeptSession, nowMs: number, unknownExpiresAtMs: number): Promise<string[] | undefined>;
  /**
   * When `revokeOtherSessions` last kept a session of `sub` and `issuer` (its `nowMs`, kept as
   * long as `unknownExpiresAtMs` then), 0 if never: a sessionless refresh token issued before it
   * starts no session.
   */
  othersRevokedAt(sub: string, issuer: string): Promise<number>;
}
