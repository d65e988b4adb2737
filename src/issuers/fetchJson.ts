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

/**
 * GETs a JSON document from an identity provider, treating the answer as hostile: only a 200
 * counts, redirects are not followed, the request (body included) is aborted after `timeoutMs`,
 * the body is read up to `maxBytes` and no further (a longer one is abandoned unread), and it
 * must be UTF-8 JSON. Throws `FetchJsonError` naming the class of the failure otherwise; nothing
 * of the response ever reaches a message.
 *
 * @example
 * ```ts
 * const metadata = await fetchJson(url, 5000, 65536);
 * ```
 */
export async function fetchJson(url: URL, timeoutMs: number, maxBytes: number): Promise<unknown> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    return await readJson(url, signal, maxBytes);
  } catch (error) {
    if (error instanceof FetchJsonError) throw error;
    // Whatever failed once the signal fired (connecting or reading the body) failed for the timeout.
    throw new FetchJsonError(signal.aborted ? "timeout" : "unreachable");
  }
}

async function readJson(url: URL, signal: AbortSignal, maxBytes: number): Promise<unknown> {
  const response = await fetch(url, { method: "GET", redirect: "manual", signal, headers: { accept: "application/json" } });
  const reader = response.body?.getReader();
  try {
    if (response.status !== 200 || reader === undefined) throw new FetchJsonError(`status ${response.status}`);
    if (Number(response.headers.get("content-length")) > maxBytes) throw new FetchJsonError("too large");
    // Content-Length may be absent or wrong (chunked): count what actually arrives.
    // Decoded as it streams (no Buffer: edge runtimes lack it); a character split across chunks is kept whole.
    // One decoder per response: its state (half a character) must not reach another response read at the
    // same time, nor the next one after this read is abandoned.
    const utf8 = new TextDecoder("utf-8", { fatal: true });
    let text = "";
    let length = 0;
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      length += read.value.byteLength;
      if (length > maxBytes) throw new FetchJsonError("too large");
      text += decoded(() => utf8.decode(read.value, { stream: true }));
    }
    return decoded(() => JSON.parse(text + utf8.decode()));
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
