import { JwtConfigError } from "../errors.js";
import { LIMITS } from "../options/limits.js";
import { nonEmptyString, objectOf, optionNames, wholeNumber } from "../options/validate.js";
import { rejectForCaller } from "../refusals/toTRPCError.js";
import type { RevocationCheck } from "../sessions/RevocationCheck.js";
import { storeCall } from "../sessions/sessionClaims.js";
import type { ApiKeyRecord, ApiKeyStore } from "../stores/ApiKeyStore.js";
import type { ClaimsArgument, ClaimsSchema, ScopeArgument, ScopeSchema } from "../tokens/claimSchemas.js";
import { addClaims, jsonArgument } from "../tokens/issueToken.js";
import type { JsonValue } from "../tokens/json.js";
import { emitAudit } from "../telemetry/emitAudit.js";
import type { AuditHook } from "../telemetry/AuditEvent.js";
import { formatApiKey, isKeyId, newKeyId } from "./apiKeyFormat.js";
import type { ApiKeySecrets } from "./ApiKeySecrets.js";

/** What `auth.apiKeys.create(sub, options)` takes; `scope` and `claims` typed by the manager's schemas. */
export interface ApiKeyOptions<TClaims extends ClaimsSchema | undefined = undefined, TScope extends ScopeSchema | undefined = undefined> {
  /** A name for people, shown by `list` ("ci deploy"). */
  readonly name: string;
  /** The scope the key's calls carry, as an auth token's `scope`. */
  readonly scope?: ScopeArgument<TScope> | undefined;
  /** Extra claims the key's calls carry (no reserved claim), as an auth token's. */
  readonly claims?: ClaimsArgument<TClaims> | undefined;
  /** Seconds the key lives (at most 10 years). Default: it does not expire (revoke it to end it). */
  readonly expiresIn?: number | undefined;
}

/** What `create` returns: the key, to show once, and its id, to list and revoke it by. */
export interface CreatedApiKey {
  /** `<prefix><id>_<secret><checksum>`: give it to the client now; it is never stored or shown again. */
  readonly key: string;
  readonly id: string;
}

/** One key as `list` shows it: never the key itself. */
export interface ApiKeyInfo<TClaims extends ClaimsSchema | undefined = undefined, TScope extends ScopeSchema | undefined = undefined> {
  readonly id: string;
  readonly name: string;
  /** Milliseconds since the epoch. */
  readonly createdAt: number;
  /** Milliseconds since the epoch; `undefined` for a key that does not expire. */
  readonly expiresAt: number | undefined;
  /** The scope it was created with (the schema's input, as stored). */
  readonly scope: ScopeArgument<TScope> | undefined;
  /** The claims it was created with (the schema's input, as stored). */
  readonly claims: ClaimsArgument<TClaims> | undefined;
}

/** What the API key methods run on, from the manager. Module-internal. */
export interface ApiKeyBackend {
  readonly prefix: string;
  /** The manager's `issuer`: its keys' records carry it, and it lists and revokes only those. */
  readonly issuer: string;
  readonly clock: () => number;
  readonly store: ApiKeyStore | undefined;
  readonly secrets: ApiKeySecrets | undefined;
  readonly check: RevocationCheck | undefined;
  readonly audit: AuditHook | undefined;
  /** See `ManagerCore.refused`: a verify-only manager, or scope or claims the schemas refuse. */
  refused(fields: { readonly scope?: unknown; readonly claims?: unknown }): Promise<never> | undefined;
}

const OPTION_NAMES = optionNames<ApiKeyOptions>({ name: true, scope: true, claims: true, expiresIn: true });
// A record is kept this long past its key's expiry, so that a late use is told "expired".
const KEEP_EXPIRED_MS = 7 * 86_400_000;

/**
 * `auth.apiKeys`: keys for machine clients (CI jobs, partner integrations, scripts), sent as
 * `Authorization: Bearer <key>` to procedures guarded by `requireToken({ apiKey: true, ... })`.
 * A key is `<prefix><id>_<secret><checksum>`: the secret is an HMAC of the id under the manager's
 * key material, so the key is never stored; the store keeps its record (subject, name, scope,
 * claims, expiry) and deleting it revokes the key in every process. Needs a store
 * (`JwtConfigError("store")` otherwise). Refusals reject as the caller's `TRPCError`, like the
 * session methods; misuse with `JwtConfigError`. See docs/api-keys.md.
 *
 * @example
 * ```ts
 * const { key, id } = await auth.apiKeys.create("ci", { name: "ci deploy", scope: { deploy: true }, expiresIn: 90 * 86400 });
 * await auth.apiKeys.revoke(id);
 * ```
 */
export class ApiKeys<TClaims extends ClaimsSchema | undefined = undefined, TScope extends ScopeSchema | undefined = undefined> {
  readonly #backend: ApiKeyBackend;

  /** @internal Built by `AuthManager`. */
  constructor(backend: ApiKeyBackend) {
    this.#backend = backend;
  }

  /**
   * A new key for `sub`. The key is returned once: show it to its owner now (only the id can be
   * listed later). `scope` and `claims` are checked as `authToken`'s are (the manager's schemas
   * included); one store write.
   *
   * @example
   * ```ts
   * const { key, id } = await auth.apiKeys.create("ci", { name: "ci deploy", scope: { deploy: true } });
   * ```
   */
  async create(sub: string, options: ApiKeyOptions<TClaims, TScope>): Promise<CreatedApiKey> {
    const store = this.#store("create");
    nonEmptyString(sub, "sub");
    objectOf(options, "options", { names: OPTION_NAMES, kind: "an API key option" });
    const name = nonEmptyString(options.name, "name");
    const expiresIn = options.expiresIn === undefined ? undefined : wholeNumber(options.expiresIn, LIMITS.apiKeyExpiresIn, "expiresIn");
    const { scope, claims } = options;
    await this.#backend.refused({ scope, claims });
    const extra: Record<string, JsonValue> = {};
    if (claims !== undefined) addClaims(extra, claims);
    const id = newKeyId();
    const secret = this.#backend.secrets?.secretOf(id);
    if (secret === undefined) throw new JwtConfigError("apiKeys", "need node:crypto, which this runtime does not have");
    const createdAt = this.#backend.clock();
    const record: ApiKeyRecord = {
      id,
      sub,
      issuer: this.#backend.issuer,
      name,
      createdAt,
      ...(expiresIn === undefined ? {} : { expiresAt: createdAt + expiresIn * 1000 }),
      ...(scope === undefined || scope === null ? {} : { scope: jsonArgument(scope, "scope") }),
      ...(claims === undefined ? {} : { claims: extra }),
    };
    const keepUntil = record.expiresAt === undefined ? undefined : record.expiresAt + KEEP_EXPIRED_MS;
    await storeCall(() => store.save(record, keepUntil)).catch(rejectForCaller);
    emitAudit(this.#backend.audit, { event: "apikey.create", sub, keyId: id, at: this.#backend.clock() });
    return { key: formatApiKey(this.#backend.prefix, id, secret), id };
  }

  /**
   * Revokes a key by its id: from then on it gets 401 TOKEN_REVOKED in every process sharing
   * the store (within milliseconds; an open subscription it authenticates ends), and `list` no
   * longer shows it. Revoking an unknown or already revoked id does nothing more, and so does
   * revoking another manager's key (another `issuer` sharing the store): one store read first.
   *
   * @example
   * ```ts
   * await auth.apiKeys.revoke(id);
   * ```
   */
  async revoke(id: string): Promise<void> {
    const store = this.#store("revoke");
    if (!isKeyId(id)) throw new JwtConfigError("id", "must be the id of an API key (as create and list give it)");
    const held = await storeCall(() => store.load(id)).catch(rejectForCaller);
    // Another manager's key is not this manager's to end (nor to announce: that would end it).
    if (held !== undefined && held.issuer !== this.#backend.issuer) return;
    const revoked = await storeCall(() => store.revoke(id)).catch(rejectForCaller);
    // This process refuses it at once, without waiting for the announcement's echo.
    this.#backend.check?.apply({ kind: "apikey", id });
    // An id the store did not hold had nothing left to revoke, and is not audited.
    if (revoked !== undefined) emitAudit(this.#backend.audit, { event: "apikey.revoke", sub: revoked.sub, keyId: id, at: this.#backend.clock() });
  }

  /**
   * The keys of `sub` this manager made (its `issuer`) that the store holds, newest first: ids, names, dates, scope and claims, never
   * a key.
   *
   * @example
   * ```ts
   * const keys = await auth.apiKeys.list("ci"); // [{ id, name, createdAt, expiresAt, scope, claims }]
   * ```
   */
  async list(sub: string): Promise<ApiKeyInfo<TClaims, TScope>[]> {
    const store = this.#store("list");
    nonEmptyString(sub, "sub");
    const records = await storeCall(() => store.list(sub)).catch(rejectForCaller);
    return records
      .filter((record) => record.issuer === this.#backend.issuer)
      .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? -1 : 1))
      .map(({ id, name, createdAt, expiresAt, scope, claims }) =>
        Object.freeze({ id, name, createdAt, expiresAt, scope, claims } as ApiKeyInfo<TClaims, TScope>),
      );
  }

  #store(method: string): ApiKeyStore {
    const store = this.#backend.store;
    if (store === undefined) throw new JwtConfigError("store", `apiKeys.${method}() needs a TokenStore with API keys (memoryStore() or redisStore(client))`);
    return store;
  }
}
