import { createServer } from "node:http";
import { listenOnLoopback } from "./httpServer.js";

/** Served for a path that never answers (the client's timeout ends the request). */
export const HANG = Symbol("hang");

/** What a path serves: a JSON document, a raw text body (200), or nothing at all. */
export type MetadataAnswer = object | string | typeof HANG;

/**
 * Serves fixed answers by path on 127.0.0.1 (404 otherwise) and records the paths asked for:
 * an identity provider's metadata (or a host discovery must never reach, with no answers).
 */
export async function startMetadataServer(documents: (origin: string) => Record<string, MetadataAnswer> = () => ({})) {
  const paths: string[] = [];
  let served: Record<string, MetadataAnswer> = {};
  const server = createServer((req, res) => {
    paths.push(req.url ?? "");
    const answer = served[req.url ?? ""];
    if (answer === HANG) return;
    if (answer === undefined) return void res.writeHead(404, { "content-type": "application/json" }).end("{}");
    res.writeHead(200, { "content-type": "application/json" }).end(typeof answer === "string" ? answer : JSON.stringify(answer));
  });
  const { url: origin, close } = await listenOnLoopback(server);
  served = documents(origin);
  return { origin, paths, close };
}
