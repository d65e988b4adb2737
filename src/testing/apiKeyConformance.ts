// The API key part of the conformance suite, for stores that keep API keys (the optional
// `apiKeys` of a TokenStore): run by `storeConformance` itself.
import type { ApiKeyRecord, ApiKeyStore } from "../stores/ApiKeyStore.js";
import { id as uuid, listening, sleep, until, type ConformanceRunner, type StoreUnderTest } from "./conformanceKit.js";

const id = () => uuid().replaceAll("-", "");

/**
 * The behaviour of a store's API keys: records saved through one view are read through another
 * exactly as saved, listed by subject, deleted and announced by `revoke`, and dropped after
 * `keepUntilMs`. Called by `storeConformance`; each case passes at once for a store without them.
 *
 * @example
 * ```ts
 * apiKeyConformance({ open: async () => memoryStore() }, { it, expect });
 * ```
 */
export function apiKeyConformance(target: StoreUnderTest, { it, expect }: ConformanceRunner): void {
  const open = async (): Promise<ApiKeyStore | undefined> => (await target.open()).apiKeys;

  it("API keys: a record saved through one view is loaded and listed through another exactly as saved", async () => {
    const [a, b] = [await open(), await open()];
    if (a === undefined || b === undefined) return;
    const sub = `ci-${id()}`;
    const full: ApiKeyRecord = {
      id: id(),
      sub,
      name: "ci deploy",
      createdAt: Date.now(),
      expiresAt: Date.now() + 60_000,
      scope: { deploy: true },
      claims: { team: "platform" },
    };
    const bare: ApiKeyRecord = { id: id(), sub, name: "bare", createdAt: Date.now() };
    await a.save(full, Date.now() + 120_000);
    await a.save(bare, undefined);
    expect(await b.load(full.id)).toEqual(full);
    expect(await b.load(bare.id)).toEqual(bare);
    expect(await b.load(id())).toBeUndefined();
    expect((await b.list(sub)).sort((x, y) => (x.name < y.name ? -1 : 1))).toEqual([bare, full]);
    expect(await b.list(`ci-${id()}`)).toEqual([]);
  });

  it("API keys: revoke deletes the record, unlists it, resolves it, and is announced to subscribers of every view", async () => {
    const [a, b] = [await open(), await open()];
    const store = await target.open();
    if (a === undefined || b === undefined) return;
    const heard = await listening(store, expect);
    const record: ApiKeyRecord = { id: id(), sub: `ci-${id()}`, name: "to revoke", createdAt: Date.now() };
    await a.save(record, undefined);
    expect(await b.revoke(record.id)).toEqual(record);
    expect(await a.load(record.id)).toBeUndefined();
    expect(await a.list(record.sub)).toEqual([]);
    expect(await a.revoke(record.id)).toBeUndefined();
    if (heard !== undefined) {
      await until(() => heard.events.filter((event) => event.kind === "apikey").length >= 2, 1000);
      heard.stop();
      expect(heard.events.filter((event) => event.kind === "apikey")).toEqual([
        { kind: "apikey", id: record.id },
        { kind: "apikey", id: record.id },
      ]);
    }
  });

  it("API keys: a record is dropped from keepUntilMs on, and leaves its subject's list", async () => {
    const store = await open();
    if (store === undefined) return;
    const record: ApiKeyRecord = { id: id(), sub: `ci-${id()}`, name: "short", createdAt: Date.now(), expiresAt: Date.now() + 50 };
    await store.save(record, Date.now() + 100);
    expect(await store.load(record.id)).toEqual(record);
    await sleep(150);
    expect(await store.load(record.id)).toBeUndefined();
    expect(await store.list(record.sub)).toEqual([]);
  });
}
