import { JwtConfigError } from "../errors.js";
import { missingSecret } from "./missingSecret.js";
import type { AuthManagerOptions } from "./options.js";

/** The variable behind each option: Flask_PyJWT's names, so a service can move over unchanged. */
export const ENV_NAMES = {
  issuer: "JWT_ISSUER",
  authType: "JWT_AUTHTYPE",
  secret: "JWT_SECRET",
  publicKey: "JWT_PUBLICKEY",
  keyId: "JWT_KEYID",
  audience: "JWT_AUDIENCE",
  clockTolerance: "JWT_CLOCKTOLERANCE",
  authMaxAge: "JWT_AUTHMAXAGE",
  refreshMaxAge: "JWT_REFRESHMAXAGE",
  maxTokenLength: "JWT_MAXTOKENLENGTH",
  cacheSize: "JWT_CACHESIZE",
  apiKeyPrefix: "JWT_APIKEYPREFIX",
} as const satisfies Record<Exclude<keyof AuthManagerOptions, "clock" | "previousKeys" | "store" | "rotationGrace" | "audit">, string>;

/** An environment: `process.env` or any record of strings. */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads `AuthManagerOptions` from `JWT_*` variables. Required: `JWT_ISSUER`, `JWT_AUTHTYPE`,
 * `JWT_SECRET`. Numbers must be written as whole decimal numbers; ranges are checked by the
 * options themselves. Errors name the variable (see `AuthManager.fromEnv`).
 */
export function optionsFromEnv(env: Env): AuthManagerOptions {
  const options: Record<string, string | number | undefined> = {};
  // In table order: a missing issuer is reported before a missing authType, then secret.
  for (const [option, name] of Object.entries(ENV_NAMES)) {
    const value = env[name] === "" ? undefined : env[name];
    if (value === undefined && REQUIRED.includes(option)) {
      throw new JwtConfigError(name, option === "secret" ? missingSecret(env[ENV_NAMES.authType] ?? "") : "is missing");
    }
    if (value !== undefined && WHOLE.includes(option)) {
      // Any length of digits: an out-of-range value is refused by the option's own range check.
      if (!/^\d+$/.test(value.trim())) throw new JwtConfigError(name, "must be a whole number");
      options[option] = Number(value.trim());
    } else options[option] = value;
  }
  return options as unknown as AuthManagerOptions;
}

// The options a service cannot start without, and those written as whole decimal numbers; the
// others are optional strings.
const REQUIRED: readonly string[] = ["issuer", "authType", "secret"];
const WHOLE: readonly string[] = ["clockTolerance", "authMaxAge", "refreshMaxAge", "maxTokenLength", "cacheSize"];
