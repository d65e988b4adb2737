/** How a JSON document is fetched from an identity provider. */
export interface FetchJsonOptions {
  /** Aborts the request, body included (e.g. `AbortSignal.timeout(timeoutDuration)`). */
  readonly signal: AbortSignal;
  /** Largest body accepted, in bytes; a longer one is abandoned unread. */
  readonly maxBytes: number;
}

/**
 * Why a provider's document could not be had, as a class of causes: `timeout`, `unreachable`,
 * `status 404` (any status but 200, redirects included), `too large`, `not JSON`. Fixed words and
 * a status number only: nothing of the response or of the runtime's own error text.
 */
export class FetchJsonError extends Error {
  override readonly name = "FetchJsonError";
  constructor(readonly problem: string) {
    super(problem);
  }
}

const UTF8 = new TextDecoder("utf-8", { fatal: true });

/**
 * GETs a JSON document from an identity provider, treating the answer as hostile: only a 200
 * counts, redirects are not followed, the body is read up to `maxBytes` and no further, and it
 * must be UTF-8 JSON. Throws `FetchJsonError` naming the class of the failure otherwise; nothing
 * of the response ever reaches a message.
 *
 * @example
 * ```ts
 * const metadata = await fetchJson(url, { signal: AbortSignal.timeout(5000), maxBytes: 65536 });
 * ```
 */
export async function fetchJson(url: URL, options: FetchJsonOptions): Promise<unknown> {
  const { signal } = options;
  try {
    return await readJson(url, options);
  } catch (error) {
    if (error instanceof FetchJsonError) throw error;
    // Whatever failed once the signal fired (connecting or reading the body) failed for the timeout.
    throw new FetchJsonError(signal.aborted ? "timeout" : "unreachable");
  }
}

async function readJson(url: URL, { signal, maxBytes }: FetchJsonOptions): Promise<unknown> {
  const response = await fetch(url, { method: "GET", redirect: "manual", signal, headers: { accept: "application/json" } });
  const reader = response.body?.getReader();
  try {
    if (response.status !== 200 || reader === undefined) throw new FetchJsonError(`status ${response.status}`);
    if (Number(response.headers.get("content-length")) > maxBytes) throw new FetchJsonError("too large");
    // Content-Length may be absent or wrong (chunked): count what actually arrives.
    // Decoded as it streams (no Buffer: edge runtimes lack it); a character split across chunks is kept whole.
    let text = "";
    let length = 0;
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      length += read.value.byteLength;
      if (length > maxBytes) throw new FetchJsonError("too large");
      text += decoded(() => UTF8.decode(read.value, { stream: true }));
    }
    return decoded(() => JSON.parse(text + UTF8.decode()));
  } finally {
    // Whatever is left of the body is abandoned unread (nothing, once it was read to its end).
    await reader?.cancel().catch(() => undefined);
  }
}

// Text that is not UTF-8, or not JSON, is "not JSON".
function decoded<T>(decode: () => T): T {
  try {
    return decode();
  } catch {
    throw new FetchJsonError("not JSON");
  }
}
