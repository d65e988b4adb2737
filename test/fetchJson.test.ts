// fetchJson reads an identity provider's documents (discovery, JWKS) as a stream of chunks and
// decodes UTF-8 as it goes, keeping a character split across two chunks whole. That decoding
// state belongs to one response: neither a response abandoned half-way ("too large") nor another
// provider's response read at the same time may leave bytes in it for the next.
import { createServer, type ServerResponse } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { fetchJson, FetchJsonError } from "../src/issuers/fetchJson.js";
import { listenOnLoopback } from "./helpers/httpServer.js";

const E_ACUTE = Buffer.from("é"); // two bytes: 0xc3 0xa9
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Handler = (response: ServerResponse, path: string) => Promise<void>;
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

async function serve(handler: Handler): Promise<string> {
  const server = createServer((request, response) => {
    response.writeHead(200, { "content-type": "application/json" });
    void handler(response, request.url ?? "/");
  });
  const { url, close } = await listenOnLoopback(server);
  stops.push(close);
  return url;
}

/** A JSON document whose one string holds "é", sent as two chunks that split the "é" in half. */
async function splitDocument(response: ServerResponse, name: string, pause: number) {
  response.write(Buffer.concat([Buffer.from(`{"name":"${name}","text":"`), E_ACUTE.subarray(0, 1)]));
  await sleep(pause);
  response.end(Buffer.concat([E_ACUTE.subarray(1), Buffer.from(`"}`)]));
}

describe("fetchJson decodes each response on its own", () => {
  it("reads a valid document after an answer abandoned as too large in the middle of a character", async () => {
    const url = await serve(async (response, path) => {
      if (path === "/valid") {
        response.end(JSON.stringify({ name: "valid", text: "é" }));
        return;
      }
      // Half an "é", then more than the limit: the read stops before the second chunk is decoded.
      response.write(Buffer.concat([Buffer.from(`{"text":"`), E_ACUTE.subarray(0, 1)]));
      await sleep(20);
      response.end(Buffer.alloc(4096, 0x61));
    });
    await expect(fetchJson(new URL("/large", url), 5000, 1024)).rejects.toEqual(new FetchJsonError("too large"));
    await expect(fetchJson(new URL("/valid", url), 5000, 1024)).resolves.toEqual({ name: "valid", text: "é" });
  });

  it("reads two documents at once, each with a character split across its chunks", async () => {
    const url = await serve((response, path) => splitDocument(response, path.slice(1), path === "/first" ? 150 : 50));
    // The second response's first chunk arrives while the first response is still half a character in.
    const first = fetchJson(new URL("/first", url), 5000, 1024);
    await sleep(50);
    const second = fetchJson(new URL("/second", url), 5000, 1024);
    await expect(Promise.all([first, second])).resolves.toEqual([
      { name: "first", text: "é" },
      { name: "second", text: "é" },
    ]);
  });
});
