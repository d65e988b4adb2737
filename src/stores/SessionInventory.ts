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
  /** The live, unrevoked sessions of `sub`, in any order; on Redis one round trip. */
  listSessions(sub: string, nowMs: number): Promise<ListedSession[]>;
  /**
   * Records a use of a listed session at `nowMs`, unless its last recorded use is less than
   * `intervalMs` old (then nothing is written). Resolves whether it wrote.
   */
  touchSession(sub: string, sid: string, nowMs: number, intervalMs: number): Promise<boolean>;
  /**
   * Revokes every listed session of `sub` but `keepSid`, as `revokeSession` does each (announced,
   * kept until its expiry), and unlists them. Atomic on one Redis: a session is either revoked
   * by this call or was not listed when it ran. Resolves the ids it revoked.
   */
  revokeOtherSessions(sub: string, keepSid: string, unknownExpiresAtMs: number): Promise<string[]>;
}
