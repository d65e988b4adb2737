// Setup of the "jose" test project: every verifier built in this run uses the jose fallback, as on
// a runtime without node:crypto, so the whole suite proves that path too (see vitest.config.ts).
import { useNativeCrypto } from "../../src/keys/nodeCrypto.js";

useNativeCrypto(false);
