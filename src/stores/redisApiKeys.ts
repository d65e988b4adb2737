import type { ApiKeyRecord, ApiKeyStore } from "./ApiKeyStore.js";
import { announcement } from "./redisChannel.js";
import type { RedisCommands } from "./redisCommands.js";
import { copyJson, isJsonObject } from "../tokens/json.js";

/** How `redisStore` names keys and announces revocations, as its API keys need them. */
export interface RedisApiKeyWiring {
  readonly redis: RedisCommands;
  /** The record of a key: `<prefix>akey:<id>` (a hash tag on a cluster). */
  readonly recordKey: (id: string) => string;
  /** A subject's ids: `<prefix>akeys:<sub>`. */
  readonly listKey: (sub: string) => string;
  /** Runs a revocation script with the channel and message as its last two arguments, announcing it. */
  readonly revoke: (keyName: string, text: string) => Promise<void>;
}

/**
 * The API keys of `redisStore`: each record a JSON string (`<prefix>akey:<id>`, expiring a while
 * after the key does, or never), each subject's ids a set (`<prefix>akeys:<sub>`; ids whose record
 * has gone leave it when it is listed). A revocation deletes the record and is announced on the
 * store's channel. Writes wait for replicas as the store's other writes do.
 *
 * @example
 * ```ts
 * const apiKeys = redisApiKeys({ redis, recordKey, listKey, revoke });
 * ```
 */
export function redisApiKeys({ redis, recordKey, listKey, revoke }: RedisApiKeyWiring): ApiKeyStore {
  const { command, write, cluster } = redis;
  const load = async (id: string) => decodeRecord(await command<string | null>(recordKey(id), ["GET", recordKey(id)]));
  return {
    async save(record, keepUntilMs) {
      const args = [JSON.stringify(record), keepUntilMs === undefined ? "" : String(Math.ceil(keepUntilMs)), record.id];
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
      await revoke(recordKey(id), announcement("apikey", id));
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
