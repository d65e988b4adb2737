import type { ApiKeyRecord, ApiKeyStore } from "./ApiKeyStore.js";
import { ExpiringMap } from "./ExpiringMap.js";
import type { RevocationEvent } from "./TokenStore.js";

/**
 * The API keys of `memoryStore`: records by id (each dropped when it may be), and each subject's
 * ids. `announce` tells the store's listeners of a revocation.
 *
 * @example
 * ```ts
 * const apiKeys = memoryApiKeys(Date.now, (event) => listeners.forEach((l) => l.event(event)));
 * ```
 */
export function memoryApiKeys(clock: () => number, announce: (event: RevocationEvent) => void): ApiKeyStore {
  const records = new ExpiringMap<ApiKeyRecord>(clock);
  const bySub = new Map<string, Set<string>>();
  return {
    async save(record, keepUntilMs) {
      records.set(record.id, record, keepUntilMs ?? Number.POSITIVE_INFINITY);
      bySub.set(record.sub, (bySub.get(record.sub) ?? new Set<string>()).add(record.id));
    },
    load: async (id) => records.get(id),
    async list(sub) {
      const ids = bySub.get(sub) ?? new Set<string>();
      const held: ApiKeyRecord[] = [];
      // Ids whose record has gone (expired long ago) leave the list as it is read.
      for (const id of ids) {
        const record = records.get(id);
        if (record === undefined) ids.delete(id);
        else held.push(record);
      }
      if (ids.size === 0) bySub.delete(sub);
      return held;
    },
    async revoke(id) {
      const record = records.get(id);
      records.delete(id);
      if (record !== undefined) bySub.get(record.sub)?.delete(id);
      announce({ kind: "apikey", id });
      return record;
    },
  };
}
