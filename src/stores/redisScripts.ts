import { createHash } from "node:crypto";

// Lua, so that each of these is one atomic step on the server, whatever other processes do.
// Expiries are absolute (PXAT / PEXPIREAT): the token's own `exp`, never a guess.

/** The Lua scripts of `redisStore`, by name. */
export const SCRIPTS = {
  // KEYS: session, subject. ARGV: sub, data, expiresAt. On a cluster KEYS: session; ARGV[4]: the
  // subject's generation, read before (the subject's key is in another slot).
  create: `local gen = ARGV[4]
if #KEYS == 2 then gen = redis.call('GET', KEYS[2]) or '0' end
redis.call('HSET', KEYS[1], 'sub', ARGV[1], 'data', ARGV[2], 'gen', gen)
redis.call('PEXPIREAT', KEYS[1], ARGV[3])`,
  // KEYS: session. ARGV: sub, data, expiresAt.
  update: `local at = redis.call('PEXPIRETIME', KEYS[1])
if at == -2 then return 0 end
redis.call('HSET', KEYS[1], 'sub', ARGV[1], 'data', ARGV[2])
if at < tonumber(ARGV[3]) then redis.call('PEXPIREAT', KEYS[1], ARGV[3]) end
return 1`,
  // KEYS: session. ARGV: rotation, now. The session's hash keeps its current rotation ('rot')
  // and when the one before it was used ('used'): two fields, however often it rotates.
  rotation: `local s = redis.call('HMGET', KEYS[1], 'sub', 'rot', 'used')
if not s[1] then return false end
local rot, k = tonumber(s[2] or '0'), tonumber(ARGV[1])
if k >= rot then
  redis.call('HSET', KEYS[1], 'rot', string.format('%d', k + 1), 'used', ARGV[2])
  return false
end
if k == rot - 1 then return s[3] end
return '0'`,
  // KEYS: revoked mark, session (when the token has one), subject. One command, however many
  // keys: a polled subscription costs one command per poll.
  state: `local session = false
if #KEYS == 3 then session = redis.call('HMGET', KEYS[2], 'sub', 'data', 'gen', 'revoked') end
return {redis.call('EXISTS', KEYS[1]), session, redis.call('GET', KEYS[#KEYS])}`,
  // KEYS: used mark. ARGV: now, expiresAt.
  consume: `local first = redis.call('GET', KEYS[1])
if first then return first end
redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ARGV[2])
return false`,
  // KEYS: revoked mark. ARGV: expiresAt, channel ('' on a cluster: published apart), message.
  revokeToken: `redis.call('SET', KEYS[1], '1', 'PXAT', ARGV[1])
if ARGV[2] ~= '' then redis.call('PUBLISH', ARGV[2], ARGV[3]) end`,
  // KEYS: session. ARGV: unknownExpiresAt, channel, message.
  revokeSession: `local known = redis.call('EXISTS', KEYS[1])
redis.call('HSET', KEYS[1], 'revoked', '1')
if known == 0 then redis.call('PEXPIREAT', KEYS[1], ARGV[1]) end
if ARGV[2] ~= '' then redis.call('PUBLISH', ARGV[2], ARGV[3]) end`,
  // KEYS: subject. ARGV: now, expiresAt, channel, message.
  revokeSubject: `local gen = math.max(tonumber(redis.call('GET', KEYS[1]) or '0') + 1, tonumber(ARGV[1]))
local at = math.max(redis.call('PEXPIRETIME', KEYS[1]), tonumber(ARGV[2]))
redis.call('SET', KEYS[1], string.format('%d', gen), 'PXAT', string.format('%d', at))
if ARGV[3] ~= '' then redis.call('PUBLISH', ARGV[3], ARGV[4]) end`,
} as const;

/** A script's name. */
export type ScriptName = keyof typeof SCRIPTS;
/** Each script's SHA1, for `EVALSHA`. */
export const SHAS = Object.fromEntries(Object.entries(SCRIPTS).map(([name, source]) => [name, createHash("sha1").update(source).digest("hex")])) as Record<
  ScriptName,
  string
>;
