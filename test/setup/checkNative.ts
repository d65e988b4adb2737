// Setup of the "native" test projects: every file starts on the node:crypto signature check. The
// "jose" projects switch it off (forceJose.ts) for their whole worker, and the native files share
// their workers' modules (vitest.config.ts): a native file that found it off would run the jose
// fallback's tests a second time and the native path's never, and pass (tried: with the switch
// left off by a file, interop and rfcVectors ran after it on jose, every test passing).
import { nativeCrypto } from "../../src/keys/nodeCrypto.js";

if (nativeCrypto() === undefined)
  throw new Error("the native project found the node:crypto signature check switched off (the jose projects' switch, or a file that did not switch it back)");
