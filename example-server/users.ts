import { randomBytes, scryptSync, timingSafeEqual } from "node:crypto";
import type { JsonObject, JsonValue } from "trpc-jwt";

/** A demo account: what its tokens carry. */
export interface User {
  readonly username: string;
  readonly scope: JsonValue;
  readonly claims: JsonObject;
}

interface StoredUser extends User {
  readonly salt: Buffer;
  readonly hash: Buffer;
}

const hashPassword = (password: string, salt: Buffer) => scryptSync(password, salt, 32);

function account(username: string, password: string, scope: JsonValue, claims: JsonObject): StoredUser {
  const salt = randomBytes(16);
  return { username, scope, claims, salt, hash: hashPassword(password, salt) };
}

// An in-memory user store with scrypt-hashed passwords; plain passwords are never kept.
const USERS = new Map<string, StoredUser>(
  [
    account("alice", "wonderland", { admin: false }, { custom_claim: "Arbitrary Required Value" }),
    account("root", "correct horse battery staple", { admin: true }, { admin: true }),
  ].map((user) => [user.username, user]),
);

/** The user whose password matches, or undefined. Runs the same work for unknown users. */
export function checkPassword(username: string, password: string): User | undefined {
  const user = USERS.get(username);
  const salt = user?.salt ?? Buffer.alloc(16);
  const candidate = hashPassword(password, salt);
  const expected = user?.hash ?? Buffer.alloc(32, 0xff);
  return timingSafeEqual(candidate, expected) && user ? user : undefined;
}

/** The account called `username`, without its password hash. */
export function findUser(username: string): User | undefined {
  const user = USERS.get(username);
  return user && { username: user.username, scope: user.scope, claims: user.claims };
}
