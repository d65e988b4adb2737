import { JwtConfigError } from "../errors.js";
import type { AuthManagerOptions, AuthType } from "./options.js";

/** The variable behind each option: Flask_PyJWT's names, so a service can move over unchanged. */
export const ENV_NAMES = {
  issuer: "JWT_ISSUER",
  authType: "JWT_AUTHTYPE",
  secret: "JWT_SECRET",
  publicKey: "JWT_PUBLICKEY",
  authMaxAge: "JWT_AUTHMAXAGE",
  refreshMaxAge: "JWT_REFRESHMAXAGE",
  maxTokenLength: "JWT_MAXTOKENLENGTH",
  cacheSize: "JWT_CACHESIZE",
} as const satisfies Record<Exclude<keyof AuthManagerOptions, "clock">, string>;

/** An environment: `process.env` or any record of strings. */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads `AuthManagerOptions` from `JWT_*` variables. Required: `JWT_ISSUER`, `JWT_AUTHTYPE`,
 * `JWT_SECRET`. Numbers must be written as whole decimal numbers. Errors name the variable.
 */
export function optionsFromEnv(env: Env): AuthManagerOptions {
  const required = (name: string): string => {
    const value = env[name];
    if (value === undefined || value === "") throw new JwtConfigError(name, "is not set");
    return value;
  };
  const whole = (name: string): number | undefined => {
    const value = env[name];
    if (value === undefined || value === "") return undefined;
    if (!/^\d{1,15}$/.test(value.trim())) throw new JwtConfigError(name, "must be a whole number");
    return Number(value.trim());
  };
  const publicKey = env[ENV_NAMES.publicKey];
  return {
    issuer: required(ENV_NAMES.issuer),
    authType: required(ENV_NAMES.authType) as AuthType,
    secret: required(ENV_NAMES.secret),
    publicKey: publicKey === "" ? undefined : publicKey,
    authMaxAge: whole(ENV_NAMES.authMaxAge),
    refreshMaxAge: whole(ENV_NAMES.refreshMaxAge),
    maxTokenLength: whole(ENV_NAMES.maxTokenLength),
    cacheSize: whole(ENV_NAMES.cacheSize),
  };
}
