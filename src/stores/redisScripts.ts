import { createHash } from "node:crypto";
import { INVENTORY_FUNCTIONS, INVENTORY_SCRIPTS, REVOKE_FUNCTION } from "./inventoryScripts.js";

// Lua, so that each of these is one atomic step on the server, whatever other processes do.
// Expiries are absolute (PXAT / PEXPIREAT): the token's own `exp`, never a guess.

/** The Lua scripts of `redisStore`, by name. */
export const SCRIPTS = {
  // KEYS: session, subject, list, meta (the inventory). ARGV: sub, data, expiresAt, '', sid,
  // listing, now, issuer. On a cluster KEYS: session; ARGV[4]: the subject's generation, read (and the
  // session listed) before by 'enlist' (the subject's keys are in another slot).
  create: `${INVENTORY_FUNCTIONS}local gen = ARGV[4]
if #KEYS == 4 then
  gen = redis.call('GET', KEYS[2]) or '0'
  enlist(KEYS[3], KEYS[4], ARGV[5], ARGV[3], ARGV[6], ARGV[7], ARGV[8])
end
redis.call('HSET', KEYS[1], 'sub', ARGV[1], 'data', ARGV[2], 'gen', gen)
redis.call('PEXPIREAT', KEYS[1], ARGV[3])`,
  // KEYS: session, and on one Redis list, meta, subject. ARGV: sub, data, expiresAt, sid, now (''
  // when not a rotation), listing, issuer and createdAt ('' : none) for a session not listed.
  // Returns { status, gen }: status 0 for no session, 2 when a revokeOtherSessions missed the
  // session (not listed), else 1; gen, the session's generation when it is still to be listed on a
  // cluster ('relist', in the subject's slot), else ''. A session revoked, or ended by a
  // revokeSubject since it started (a rotation racing that call), is not listed again.
  update: `${INVENTORY_FUNCTIONS}local at = redis.call('PEXPIRETIME', KEYS[1])
if at == -2 then return {0, ''} end
redis.call('HSET', KEYS[1], 'sub', ARGV[1], 'data', ARGV[2])
if at < tonumber(ARGV[3]) then redis.call('PEXPIREAT', KEYS[1], ARGV[3]) end
local s = redis.call('HMGET', KEYS[1], 'gen', 'revoked')
if s[2] == '1' then return {1, ''} end
local gen = s[1] or '0'
if #KEYS == 1 then return {1, gen} end
if not relist(KEYS[2], KEYS[3], ARGV[4], ARGV[3], ARGV[5], ARGV[6], ARGV[7], ARGV[8], KEYS[4], gen) then return {2, ''} end
return {1, ''}`,
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
  // KEYS: session. ARGV: unknownExpiresAt, channel, message. Returns the session's sub, so that
  // it is unlisted after.
  revokeSession: `${REVOKE_FUNCTION}local sub = markRevoked(KEYS[1], ARGV[1])
if ARGV[2] ~= '' then redis.call('PUBLISH', ARGV[2], ARGV[3]) end
return sub`,
  // KEYS: subject, list, meta (same slot). ARGV: now, expiresAt, channel, message. Unlists
  // every session of the subject.
  revokeSubject: `redis.call('DEL', KEYS[2], KEYS[3])
local gen = math.max(tonumber(redis.call('GET', KEYS[1]) or '0') + 1, tonumber(ARGV[1]))
local at = math.max(redis.call('PEXPIRETIME', KEYS[1]), tonumber(ARGV[2]))
redis.call('SET', KEYS[1], string.format('%d', gen), 'PXAT', string.format('%d', at))
if ARGV[3] ~= '' then redis.call('PUBLISH', ARGV[3], ARGV[4]) end`,
  ...INVENTORY_SCRIPTS,
  // KEYS: API key record, and on one Redis its subject's list. ARGV: record, keepUntil ('': for
  // ever), id. On a cluster the list lives in another slot: apiKeyList adds to it after.
  apiKeySave: `redis.call('SET', KEYS[1], ARGV[1])
if ARGV[2] ~= '' then redis.call('PEXPIREAT', KEYS[1], ARGV[2]) end
if #KEYS == 2 then redis.call('SADD', KEYS[2], ARGV[3]) end`,
  // KEYS: a subject's list of API key ids. ARGV: 'add' or 'rem', id.
  apiKeyList: `if ARGV[1] == 'add' then redis.call('SADD', KEYS[1], ARGV[2]) else redis.call('SREM', KEYS[1], ARGV[2]) end`,
  // KEYS: API key record. ARGV: channel ('' on a cluster: published apart), message.
  apiKeyRevoke: `redis.call('DEL', KEYS[1])
if ARGV[1] ~= '' then redis.call('PUBLISH', ARGV[1], ARGV[2]) end`,
} as const;

/** A script's name. */
export type ScriptName = keyof typeof SCRIPTS;
/** Each script's SHA1, for `EVALSHA`. */
export const SHAS = Object.fromEntries(Object.entries(SCRIPTS).map(([name, source]) => [name, createHash("sha1").update(source).digest("hex")])) as Record<
  ScriptName,
  string
>;
