import type { KeyInput, PreviousKey } from "../config/options.js";
import type { AuthType } from "../jws/algorithms.js";

/** The manager's key options, as `resolveOptions` leaves them (its resolved options are one). */
export interface KeyConfig {
  readonly authType: AuthType;
  /** The HMAC secret or the private key; undefined for a verify-only manager. */
  readonly secret: KeyInput | undefined;
  readonly publicKey: KeyInput | undefined;
  readonly keyId: string | undefined;
  readonly previousKeys: readonly PreviousKey[];
}
