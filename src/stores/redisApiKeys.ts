import type { ApiKeyRecord, ApiKeyStore } from "./ApiKeyStore.js";
import { announcement } from "./redisChannel.js";
import { ms, type RedisCommands } from "./redisCommands.js";
import { copyJson, isJsonObject } from "../tokens/json.js";

/**
 * The API keys of `redisStore`: each record a JSON string (`<prefix>akey:<id>`, expiring a while
 * after the key does, or never), each subject's ids a set (`<prefix>akeys:<sub>`; ids whose record
 * has gone leave it when it is listed). A revocation deletes the record and is announced on the
 * store's channel. Writes wait for replicas as the store's other writes do.
 *
 * @example
 * ```ts
 * const apiKeys = redisApiKeys(redis);
 * ```
 */
export function redisApiKeys(redis: RedisCommands): ApiKeyStore {
  const { command, write, cluster } = redis;
  const { apiKey: recordKey, apiKeysOf: listKey } = redis.key;
  const load = async (id: string) => decodeRecord(await command<string | null>(recordKey(id), ["GET", recordKey(id)]));
  return {
    async save(record, keepUntilMs) {
      const args = [JSON.stringify(record), keepUntilMs === undefined ? "" : ms(keepUntilMs), record.id];
      if (!cluster) return void (await write("apiKeySave", [recordKey(record.id), listKey(record.sub)], args));
      await write("apiKeySave", [recordKey(record.id)], args);
      await write("apiKeyList", [listKey(record.sub)], ["add", record.id]);
    },
    load,
    async list(sub) {
      const ids = await command<string[]>(listKey(sub), ["SMEMBERS", listKey(sub)]);
      const records = await Promise.all(ids.map(load));
      const gone = ids.filter((_, i) => records[i] === undefined);
      await Promise.all(gone.map((id) => write("apiKeyList", [listKey(sub)], ["rem", id])));
      return records.filter((record) => record !== undefined);
    },
    async revoke(id) {
      const record = await load(id);
      await redis.revoke("apiKeyRevoke", [recordKey(id)], [], announcement("apikey", id));
      if (record !== undefined) await write("apiKeyList", [listKey(record.sub)], ["rem", id]);
      return record;
    },
  };
}

function decodeRecord(text: string | null): ApiKeyRecord | undefined {
  if (text === null) return undefined;
  const parsed = copyJson(JSON.parse(text));
  if (!isJsonObject(parsed) || typeof parsed["id"] !== "string" || typeof parsed["sub"] !== "string") throw new Error("malformed API key record");
  return parsed as unknown as ApiKeyRecord;
}
