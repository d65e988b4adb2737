import type { PreviousKey } from "../config/options.js";

/** A previous key with the option name its errors use (`previousKeys[1]`). */
export interface PreviousEntry {
  readonly entry: PreviousKey;
  readonly option: string;
}
