// `npm run demo`: starts the example server, runs the example client against it in a separate
// process, stops the server, and exits with the client's verdict.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { startExampleServer } from "./server.js";

const server = await startExampleServer(0);
console.log(`example server listening on ${server.url}`);
const clientPath = fileURLToPath(new URL("../example-client/client.ts", import.meta.url));
const client = spawn(process.execPath, ["--import", "tsx", clientPath, server.url], { stdio: "inherit" });
const code = await new Promise<number>((resolve) => {
  client.on("exit", (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0)));
  client.on("error", () => resolve(1));
});
await server.stop();
console.log(code === 0 ? "demo finished: OK" : `demo finished: FAILED (client exit code ${code})`);
process.exit(code);
