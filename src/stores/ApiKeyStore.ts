import type { JsonObject, JsonValue } from "../tokens/json.js";

/**
 * What a store keeps of an API key: never the key, nor anything it can be rebuilt from without
 * the manager's key material.
 */
export interface ApiKeyRecord {
  /** The key's id (the part of the key after its prefix): public, listable, revocable. */
  readonly id: string;
  readonly sub: string;
  /**
   * The `issuer` of the manager that made it: managers sharing a store list and revoke only
   * their own keys. Absent only on records made before it was kept (their keys no longer verify).
   */
  readonly issuer?: string;
  /** A name for people ("ci deploy"). */
  readonly name: string;
  /** When it was created, ms since the epoch. */
  readonly createdAt: number;
  /** When it expires, ms since the epoch; absent for a key that does not expire. */
  readonly expiresAt?: number;
  readonly scope?: JsonValue;
  readonly claims?: JsonObject;
}

/**
 * The API keys part of a `TokenStore` (`memoryStore` and `redisStore` have it). A revoked key's
 * record is deleted: a key whose record the store does not hold is refused.
 *
 * @example
 * ```ts
 * const record = await store.apiKeys?.load(id);
 * ```
 */
export interface ApiKeyStore {
  /**
   * Saves a new key's record and lists it under its subject. A record with `expiresAt` may be
   * dropped from `keepUntilMs` on (a while after it expires, so that its refusal still says
   * expired rather than revoked).
   */
  save(record: ApiKeyRecord, keepUntilMs: number | undefined): Promise<void>;
  /** The record, or `undefined` when the store does not hold it (revoked, or long expired). */
  load(id: string): Promise<ApiKeyRecord | undefined>;
  /** The subject's keys the store holds, in no particular order. */
  list(sub: string): Promise<ApiKeyRecord[]>;
  /**
   * Deletes the record (and its place in its subject's list) and announces
   * `{ kind: "apikey", id }` to every process sharing the store, whether or not it was held (a
   * revocation is never silently lost). Resolves the deleted record, if any.
   */
  revoke(id: string): Promise<ApiKeyRecord | undefined>;
}
