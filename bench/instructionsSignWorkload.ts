// The workload of `bench/instructions.sh sign`: N sequential awaited calls of `authToken` (a
// manager without store) or `login` (with memoryStore()), as bench/signing.ts compares them.
// Usage: <authToken|login> <alg> <N>
import { AuthManager, memoryStore } from "trpc-jwt";
import { benchKeys, type BenchAlg } from "./algorithms.js";

const [mode, alg, count] = [process.argv[2], process.argv[3] as BenchAlg, Number(process.argv[4])];
const manager = { issuer: "bench", authType: alg, secret: benchKeys(alg).secret } as const;
const auth = mode === "login" ? new AuthManager({ ...manager, store: memoryStore() }) : new AuthManager(manager);
const call = mode === "login" ? () => auth.login("alice") : mode === "authToken" ? () => auth.authToken("alice") : undefined;
if (call === undefined) throw new Error("usage: instructionsSignWorkload.ts <authToken|login> <alg> <N>");
for (let i = 0; i < count; i++) await call();
