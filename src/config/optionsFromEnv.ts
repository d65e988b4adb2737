import { JwtConfigError } from "../errors.js";
import type { AuthType } from "../jws/algorithms.js";
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
  const optional = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value === "" ? undefined : value;
  };
  const required = (name: string, missing = "is missing"): string => {
    const value = optional(name);
    if (value === undefined) throw new JwtConfigError(name, missing);
    return value;
  };
  const whole = (name: string): number | undefined => {
    const value = optional(name)?.trim();
    if (value === undefined) return undefined;
    if (!/^\d+$/.test(value)) throw new JwtConfigError(name, "must be a whole number");
    // Any length of digits: an out-of-range value is refused by the option's own range check.
    return Number(value);
  };
  return {
    issuer: required(ENV_NAMES.issuer),
    authType: required(ENV_NAMES.authType) as AuthType,
    secret: required(ENV_NAMES.secret, missingSecret(env[ENV_NAMES.authType] ?? "")),
    publicKey: optional(ENV_NAMES.publicKey),
    keyId: optional(ENV_NAMES.keyId),
    audience: optional(ENV_NAMES.audience),
    clockTolerance: whole(ENV_NAMES.clockTolerance),
    authMaxAge: whole(ENV_NAMES.authMaxAge),
    refreshMaxAge: whole(ENV_NAMES.refreshMaxAge),
    maxTokenLength: whole(ENV_NAMES.maxTokenLength),
    cacheSize: whole(ENV_NAMES.cacheSize),
    apiKeyPrefix: optional(ENV_NAMES.apiKeyPrefix),
  };
}
