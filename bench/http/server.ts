// One server of `npm run bench:http`, in a process of its own (started by bench/http.ts, compiled
// as users run it: see bench/bundled.ts); the servers themselves are in ./serve.ts.
// It prints "listening on <url>" once it accepts connections, and answers the parent's "cpu"
// message with its process.cpuUsage(), so the CPU per request is the server's alone.
import { serve } from "./serve.js";
import type { ServerKind } from "./serverKinds.js";

const { url } = await serve({
  kind: process.env["BENCH_HTTP_SERVER"] as ServerKind,
  alg: process.env["BENCH_HTTP_ALG"] as "HS256" | "ES256",
  secret: process.env["BENCH_HTTP_SECRET"] as string,
  publicKey: process.env["BENCH_HTTP_PUBLIC_KEY"] as string,
  redisUrl: process.env["BENCH_HTTP_REDIS_URL"],
  guards: process.env["BENCH_HTTP_GUARDS"] === "two" ? "two" : "one",
});
process.on("message", (message) => {
  if (message === "cpu") process.send?.({ cpu: process.cpuUsage() });
});
process.on("disconnect", () => process.exit(0));
console.log(`listening on ${url}`);
