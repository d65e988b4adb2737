import type { JsonObject, JsonValue } from "../tokens/json.js";
import type { RateLimitStore } from "./RateLimitStore.js";
import type { SessionInventory, SessionListing } from "./SessionInventory.js";
import type { ApiKeyStore } from "./ApiKeyStore.js";

/** What a session keeps besides its tokens: the subject, and the scope and claims of its auth tokens. */
export interface SessionData {
  readonly sub: string;
  /** The scope of the session's auth tokens; absent when they carry none. */
  readonly scope?: JsonValue;
  /** The extra claims of the session's auth tokens; absent when they carry none. */
  readonly claims?: JsonObject;
}

/** A session as a store returns it. */
export interface StoredSession extends SessionData {
  /** The subject's revocation generation when the session was created (0 when it had none). */
  readonly generation: number;
  /** Whether `revokeSession` (or reuse detection) has ended the session. */
  readonly revoked: boolean;
}

/** Everything a store knows that can revoke one token; read in one call, judged by trpc-jwt. */
export interface RevocationState {
  /** The token itself was revoked. */
  readonly tokenRevoked: boolean;
  /** The token's session, when it has one and the store still holds it. */
  readonly session: StoredSession | undefined;
  /** The subject's revocation generation (milliseconds since the epoch, strictly increasing), 0 if none. */
  readonly subjectGeneration: number;
}

/** Which tokens to look up: ids as trpc-jwt computes them. */
export interface TokenRef {
  /** The token's id: its `jti`, or when it has none a hash of its header and payload (never of its signature). */
  readonly tokenId: string;
  /** Its `sid` claim, if any. */
  readonly sid: string | undefined;
  readonly sub: string;
}

/** A revocation, as stores announce it to every process sharing them. */
export interface RevocationEvent {
  readonly kind: "token" | "session" | "subject" | "apikey";
  /** The token id, the `sid`, the `sub` or the API key's id. */
  readonly id: string;
}

/**
 * How a store tells trpc-jwt about revocations made anywhere. `up` means that from now on every
 * revocation will reach `event`; called again while up, that the store may have missed some
 * (its commands came back after an outage): trpc-jwt then asks again about everything it
 * remembers or watches. `down` means that some may not reach `event` (a lost connection, or a
 * channel silent for longer than its heartbeat allows); `sinceMs` (ms since the epoch, default
 * now) is when the channel was last known to work. While down, trpc-jwt asks the store on every
 * use of a token.
 */
export interface RevocationListener {
  event(event: RevocationEvent): void;
  up(): void;
  down(sinceMs?: number): void;
}

/**
 * Where sessions, used refresh tokens and revocations live. trpc-jwt ships `memoryStore()` (one
 * process) and `redisStore(client)` (from `trpc-jwt/redis`, shared by every process); implement
 * this interface to keep them in another database. Run the conformance suite
 * (`test/helpers/storeConformance.ts` in the trpc-jwt repository) against an adapter before trusting it.
 *
 * Rules every store follows:
 * - Every entry expires at the time (milliseconds since the epoch) it is written with, or later
 *   only where stated; nothing grows without bound.
 * - `consumeRotation`, `consumeRefreshToken`, `createSession` and `revokeSubject` are atomic: with concurrent callers
 *   in several processes, exactly one consumes a token, and a session created concurrently with a
 *   subject's revocation is either stamped with the new generation or revoked by it.
 * - Any failure rejects (trpc-jwt then answers 503 STORE_UNAVAILABLE); a store never reports
 *   "not revoked" when it could not look.
 *
 * @example
 * ```ts
 * const store: TokenStore = memoryStore();
 * const auth = new AuthManager({ issuer, authType: "HS256", secret, store });
 * ```
 */
export interface TokenStore extends Partial<SessionInventory>, Partial<RateLimitStore> {
  /**
   * Saves a new session, stamped with the subject's current generation; it expires at `expiresAtMs`.
   * A store with a {@link SessionInventory} lists it with `listing`.
   */
  createSession(sid: string, data: SessionData, expiresAtMs: number, listing?: SessionListing): Promise<void>;
  /**
   * Replaces the scope and claims of a session that still exists (else does nothing) and moves
   * its expiry to `expiresAtMs` if that is later. Its generation and revoked mark stay. A store
   * with a {@link SessionInventory} records `nowMs` (a rotation's time) as its last use, and lists
   * an unrevoked session it does not list (one from before the inventory, or whose listing was
   * evicted) with `listing`, unless the session is older than the last `revokeOtherSessions` of
   * its subject and issuer (`othersRevokedAt`, by more than 2 s): a session that call missed
   * resolves `false` (the caller then revokes it).
   */
  updateSession(sid: string, data: SessionData, expiresAtMs: number, nowMs?: number, listing?: SessionListing): Promise<boolean | void>;
  /** The session, or `undefined` when it is unknown or has expired. */
  loadSession(sid: string): Promise<StoredSession | undefined>;
  /**
   * Uses up rotation `rotation` of a session's refresh token, atomically. The session keeps only
   * the number of its current rotation and when the one before it was used (so its size does not
   * grow with rotations) and keeps them as long as the session. Resolves `undefined` when this call
   * is the first use of `rotation` (the session then expects `rotation + 1`; a larger rotation
   * than expected, which only a store that lost a write can see, is taken as the current one) and
   * when the store does not hold the session (it writes nothing then); the time (ms) of the first
   * use when `rotation` is the one used last; `0` (long ago) for an older one.
   */
  consumeRotation(sid: string, rotation: number, nowMs: number): Promise<number | undefined>;
  /**
   * Marks a refresh token without a session used, atomically. Resolves `undefined` when this call
   * was the first use (the mark then lives until `expiresAtMs`), else the time (ms) of the first use.
   * Session refresh tokens use {@link TokenStore.consumeRotation} instead, which keeps no mark per token;
   * one issued before rotations were counted (no `rot`) is checked here first, for its mark from then.
   */
  consumeRefreshToken(tokenId: string, nowMs: number, expiresAtMs: number): Promise<number | undefined>;
  /** Revokes one token until `expiresAtMs`, when it expires anyway. */
  revokeToken(tokenId: string, expiresAtMs: number): Promise<void>;
  /**
   * Marks a session revoked, keeping its expiry. A session the store no longer holds is marked
   * revoked until `unknownExpiresAtMs` (the longest any of its tokens can live).
   */
  revokeSession(sid: string, unknownExpiresAtMs: number): Promise<void>;
  /**
   * Revokes every token of `sub` issued so far: the subject's generation becomes
   * `max(previous + 1, nowMs)`, kept until `expiresAtMs` (or later, if already later).
   */
  revokeSubject(sub: string, nowMs: number, expiresAtMs: number): Promise<void>;
  /** What the store knows about one token, in one call. */
  revocationState(ref: TokenRef): Promise<RevocationState>;
  /**
   * Optional: announces revocations made by any process. Without it, trpc-jwt asks the store
   * on every use of a token. Returns a function that stops listening.
   */
  subscribe?(listener: RevocationListener): () => void;
  /** Optional: API keys (`auth.apiKeys`); `memoryStore` and `redisStore` have them. */
  readonly apiKeys?: ApiKeyStore | undefined;
}
