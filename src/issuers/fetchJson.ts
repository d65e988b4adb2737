/** How a JSON document is fetched from an identity provider. */
export interface FetchJsonOptions {
  /** Aborts the request, body included (jose passes `AbortSignal.timeout(timeoutDuration)`). */
  readonly signal: AbortSignal;
  /** Largest body accepted, in bytes; a longer one is abandoned unread. */
  readonly maxBytes: number;
  /** Request headers (jose sends `accept` and `user-agent`). */
  readonly headers?: HeadersInit | undefined;
}

const UTF8 = new TextDecoder("utf-8", { fatal: true });

/**
 * GETs a JSON document from an identity provider, treating the answer as hostile: only a 200
 * counts, redirects are not followed, the body is read up to `maxBytes` and no further, and it
 * must be UTF-8 JSON. Throws a plain `Error` otherwise; callers turn it into a fixed code, so
 * nothing of the response ever reaches a message.
 *
 * @example
 * ```ts
 * const metadata = await fetchJson(url, { signal: AbortSignal.timeout(5000), maxBytes: 65536 });
 * ```
 */
export async function fetchJson(url: string | URL, options: FetchJsonOptions): Promise<unknown> {
  const { signal, maxBytes } = options;
  const response = await fetch(url, { method: "GET", redirect: "manual", signal, headers: options.headers ?? { accept: "application/json" } });
  const body = response.body;
  if (response.status !== 200 || body === null) {
    await body?.cancel().catch(() => undefined);
    throw new Error("unexpected response status");
  }
  if (Number(response.headers.get("content-length")) > maxBytes) {
    await body.cancel().catch(() => undefined);
    throw new Error("response too large");
  }
  // Content-Length may be absent or wrong (chunked): count what actually arrives.
  // Decoded as it streams (no Buffer: edge runtimes lack it); a character split across chunks is kept whole.
  let text = "";
  let length = 0;
  const reader = body.getReader();
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    length += read.value.byteLength;
    if (length > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new Error("response too large");
    }
    text += UTF8.decode(read.value, { stream: true });
  }
  return JSON.parse(text + UTF8.decode());
}
