import { JwtError } from "../errors.js";
import { SUBJECT_GENERATION } from "../tokens/reservedClaims.js";
import type { JwtToken } from "../tokens/JwtToken.js";
import type { Verifier } from "../tokens/Verifier.js";
import { RevocationWatchers } from "./RevocationWatchers.js";
import { tokenRef } from "./tokenRef.js";
import type { RevocationEvent, RevocationState, TokenRef, TokenStore } from "../stores/TokenStore.js";
import type { ApiKeyRecord } from "../stores/ApiKeyStore.js";

/** The optional settings of a {@link RevocationCheck}. */
export interface RevocationCheckSettings {
  /**
   * How far another process's clock may be ahead (ms, default 1000); a token that only has its
   * `iat` to tell when it was issued counts as issued before a subject's revocation for that much longer.
   */
  readonly skewMs?: number | undefined;
  /** Told of every token `check` passes (the session inventory's last use). */
  readonly used?: ((token: JwtToken) => void) | undefined;
  /**
   * Prefixed to every id this check asks the store about (and to the revocations it heeds): an
   * identity provider's tokens are filed apart from our own and from another provider's, so
   * that one issuer's `sid` or `sub` never revokes another's. Our own tokens have none (the ids
   * stores always had); only they are trusted with a `sub_gen` claim.
   */
  readonly namespace?: string | undefined;
}

/**
 * Whether a verified token has been revoked, answered from the store once per token and then
 * from memory for as long as the store's revocation channel is up.
 *
 * Why (measured, see docs/sessions.md): asking Redis on every request costs a round trip that
 * makes a guarded call several times dearer than a public one; remembering "not revoked" and
 * forgetting it when the store announces a revocation costs one map lookup, and the
 * announcement (Redis pub/sub) reaches other processes in about a millisecond. While the channel
 * is down (a lost connection may have lost announcements, and a heartbeated channel counts as
 * down after 2 s of silence), nothing is remembered and every use
 * asks the store, so a store outage is a 503, never a pass. Stores without a channel are asked
 * every time. API keys follow the same model: a key's record is read from the store on its
 * first use and remembered (as the key's token) while the channel is up.
 */
export class RevocationCheck {
  readonly #store: TokenStore;
  readonly #maxEntries: number;
  readonly #skewMs: number;
  readonly #namespace: string;
  // Token id -> its ids (what may revoke it), for tokens found unrevoked since the channel came up.
  readonly #verdicts = new Map<string, TokenRef>();
  // API key id -> the token of its record, for keys found held since the channel came up.
  readonly #apiKeys = new Map<string, JwtToken>();
  // Tokens of API keys just read from the store: their first check asks nothing more.
  readonly #fresh = new WeakSet<JwtToken>();
  // Ids of API keys found revoked: a revocation is for good (ids are never reused), so it is
  // remembered whatever the channel does, and a revoked key in a retry loop costs no store read.
  readonly #revokedKeys = new Map<string, true>();
  // First uses under way while the channel is live: concurrent first uses of a key share one read.
  readonly #reading = new Map<string, Promise<JwtToken>>();
  #live = false;
  // Bumped by every announcement and channel change: an answer read across one is not kept.
  #changes = 0;
  readonly #watchers: RevocationWatchers;
  readonly #used: ((token: JwtToken) => void) | undefined;

  constructor(store: TokenStore, maxEntries: number, { skewMs = 1000, used, namespace = "" }: RevocationCheckSettings = {}) {
    this.#store = store;
    this.#maxEntries = maxEntries;
    this.#skewMs = skewMs;
    this.#used = used;
    this.#namespace = namespace;
    this.#watchers = new RevocationWatchers((token) => this.lookup(token), namespace);
    store.subscribe?.({
      event: (event) => this.apply(event),
      up: () => this.#reset(true),
      // Epoch milliseconds from the store, on this process's monotonic clock.
      down: (sinceMs?: number) => this.#reset(false, sinceMs === undefined ? undefined : performance.now() - Math.max(0, Date.now() - sinceMs)),
    });
  }

  /**
   * The token itself when nothing revokes it; else rejects with `JwtError`: `TOKEN_REVOKED`,
   * `TOKEN_INVALID` (a malformed `sid`) or `STORE_UNAVAILABLE`. Synchronous when remembered.
   */
  check(token: JwtToken): JwtToken | Promise<JwtToken> {
    // An API key: its record remembered, or just read (never a "last used" write on this path).
    if (token.type === "apikey") {
      if ((this.#live && this.#apiKeys.get(token.jti as string) === token) || this.#fresh.delete(token)) return token;
      return this.lookup(token);
    }
    const used = this.#used;
    if (this.#live && token.jti !== undefined && this.#verdicts.has(this.#namespace + token.jti)) {
      used?.(token);
      return token;
    }
    const found = this.lookup(token);
    return used === undefined ? found : found.then((passed) => (used(passed), passed));
  }

  /**
   * The token of the API key `id` (made by `toToken` from its record): remembered while the
   * channel is live; else read from the store (0 reads when remembered, 1 otherwise). Rejects
   * with `TOKEN_REVOKED` when the store does not hold the key, `STORE_UNAVAILABLE` when it cannot say.
   */
  apiKey(id: string, toToken: (record: ApiKeyRecord) => JwtToken): JwtToken | Promise<JwtToken> {
    if (!this.#live) return this.#readApiKey(id, toToken);
    const known = this.#apiKeys.get(id);
    if (known !== undefined) return known;
    let reading = this.#reading.get(id);
    if (reading === undefined) {
      reading = this.#readApiKey(id, toToken).finally(() => this.#reading.delete(id));
      this.#reading.set(id, reading);
    }
    return reading;
  }

  /** Like {@link check}, but always asks the store. */
  async lookup(token: JwtToken): Promise<JwtToken> {
    if (token.type === "apikey") return this.#readApiKey(token.jti as string, () => token);
    const changes = this.#changes;
    const found = tokenRef(token, this.#namespace);
    const ref = found instanceof Promise ? await found : found;
    let state: RevocationState;
    try {
      state = await this.#store.revocationState(ref);
    } catch {
      throw new JwtError("STORE_UNAVAILABLE");
    }
    if (isRevoked(token, state, this.#skewMs, this.#namespace === "")) throw new JwtError("TOKEN_REVOKED");
    // Only tokens with a `jti` are remembered: `check` looks them up by it, without hashing.
    if (this.#live && changes === this.#changes && token.jti !== undefined) remember(this.#verdicts, this.#maxEntries, ref.tokenId, ref);
    return token;
  }

  /**
   * Calls `onRevoked` once if `token` is revoked while watched (an open subscription): within a
   * second, at once when the store announces revocations. Returns a function that stops watching.
   */
  watch(token: JwtToken, onRevoked: (error: JwtError) => void): () => void {
    return this.#watchers.watch(token, onRevoked);
  }

  /** Forgets what a revocation concerns; called for announcements and for this process's own revocations. */
  apply(event: RevocationEvent): void {
    this.#changes++;
    this.#watchers.notify(event);
    if (event.kind === "token" || event.kind === "apikey") {
      (event.kind === "token" ? this.#verdicts : this.#apiKeys).delete(event.id);
      if (event.kind === "apikey") remember(this.#revokedKeys, this.#maxEntries, event.id, true);
      return;
    }
    const field = event.kind === "session" ? "sid" : "sub";
    for (const [id, verdict] of this.#verdicts) if (verdict[field] === event.id) this.#verdicts.delete(id);
  }

  async #readApiKey(id: string, toToken: (record: ApiKeyRecord) => JwtToken): Promise<JwtToken> {
    if (this.#revokedKeys.has(id)) throw new JwtError("TOKEN_REVOKED");
    const changes = this.#changes;
    let record: ApiKeyRecord | undefined;
    try {
      record = await this.#store.apiKeys?.load(id);
    } catch {
      throw new JwtError("STORE_UNAVAILABLE");
    }
    // A key the store does not hold was revoked (or expired long ago): its record is deleted then.
    if (record === undefined) {
      remember(this.#revokedKeys, this.#maxEntries, id, true);
      throw new JwtError("TOKEN_REVOKED");
    }
    const token = toToken(record);
    if (this.#live && changes === this.#changes) remember(this.#apiKeys, this.#maxEntries, id, token);
    else this.#fresh.add(token);
    return token;
  }

  #reset(live: boolean, sinceMs?: number): void {
    this.#live = live;
    this.#changes++;
    this.#verdicts.clear();
    this.#apiKeys.clear();
    this.#watchers.setLive(live, sinceMs);
  }
}

// Bounded by the manager's cacheSize (0: every use asks the store); the oldest entry makes room.
function remember<V>(map: Map<string, V>, maxEntries: number, key: string, value: V): void {
  if (maxEntries === 0) return;
  // Full, so not empty: there is an oldest key.
  if (map.size >= maxEntries && !map.has(key)) map.delete(map.keys().next().value as string);
  map.set(key, value);
}

/**
 * `verify` followed by the revocation check; `verify` itself when there is no check, so that a
 * manager without a store verifies exactly as fast as before.
 */
export function withRevocationCheck(verify: Verifier, check: Pick<RevocationCheck, "check"> | undefined): Verifier {
  if (check === undefined) return verify;
  return (signed, type) => {
    const verified = verify(signed, type);
    return verified instanceof Promise ? verified.then((token) => check.check(token)) : check.check(verified);
  };
}

// `ownToken`: only our own tokens' `sub_gen` is trusted (an identity provider's token could claim any).
function isRevoked(token: JwtToken, { tokenRevoked, session, subjectGeneration }: RevocationState, skewMs: number, ownToken: boolean): boolean {
  if (tokenRevoked || session?.revoked === true) return true;
  if (subjectGeneration === 0) return false;
  // A session knows the subject's generation it was born in, and a sessionless token of a
  // manager with this store the one it was issued under: both read from the store, so a token
  // issued after revokeSubject returned passes whatever the issuing process's clock says, and
  // every one issued before is refused.
  if (session !== undefined) return session.generation < subjectGeneration;
  const issuedUnder = token.claims[SUBJECT_GENERATION];
  if (ownToken && typeof issuedUnder === "number") return issuedUnder < subjectGeneration;
  // Any other token only has its `iat` (whole seconds, by a clock that may be ahead): it counts
  // as revoked until it is surely younger than the revocation. Fails closed, for a while.
  return token.iat * 1000 < subjectGeneration + skewMs;
}
