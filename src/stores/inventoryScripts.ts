// The Lua of the session inventory in Redis: per subject a sorted set of its sessions (score:
// when the session expires) and a hash of what each was listed with ('m:<sid>', JSON) and its last
// recorded use ('u:<sid>', ms). Both keys carry the subject's hash tag on a cluster, so every
// script below touches one slot. Its functions are shared with the session scripts that list
// (create) and relist (update) a session in the same step on one Redis.
import { MISSED_MARGIN_MS } from "./MemoryInventory.js";

/**
 * Lua: `enlist(list, meta, sid, expiresAt, listing, now, issuer)` and
 * `relist(list, meta, sid, expiresAt, now, listing, issuer, createdAt, subject, gen)` (a session
 * ended by a revokeSubject since it started, its `gen` below the subject's, is never listed again;
 * one not listed is listed with `listing` when it is not '', unless older than the issuer's last
 * revokeOtherSessions ('r:<issuer>'): false, that call missed it); `unlist(list, meta, sid)`; `others(list, meta, now,
 * issuer, keepSid)`, the sessions of the issuer ('': every issuer's) listed after `now` but
 * `keepSid` (a session listed without an issuer, 'i:<sid>', is every issuer's); `keepListed(list,
 * meta, sid, expiresAt, listing, now, issuer, until)`, a revokeOtherSessions' kept session, listed
 * if it was not, and the call's time kept for its issuer until `until`.
 */
export const INVENTORY_FUNCTIONS = `local function keepUntil(list, meta, at)
  local keep = math.max(redis.call('PEXPIRETIME', list), tonumber(at))
  redis.call('PEXPIREAT', list, keep)
  redis.call('PEXPIREAT', meta, keep)
end
local function enlist(list, meta, sid, at, listing, now, issuer)
  local gone = redis.call('ZRANGEBYSCORE', list, '-inf', now)
  for _, old in ipairs(gone) do redis.call('HDEL', meta, 'm:' .. old, 'u:' .. old, 'i:' .. old, 'x:' .. old) end
  if #gone > 0 then redis.call('ZREMRANGEBYSCORE', list, '-inf', now) end
  redis.call('ZADD', list, at, sid)
  redis.call('HSET', meta, 'm:' .. sid, listing, 'u:' .. sid, now)
  if issuer ~= '' then redis.call('HSET', meta, 'i:' .. sid, issuer) end
  keepUntil(list, meta, at)
end
local function relist(list, meta, sid, at, now, listing, issuer, createdAt, subject, gen)
  if tonumber(gen) < tonumber(redis.call('GET', subject) or '0') then return true end
  local score = redis.call('ZSCORE', list, sid)
  if not score then
    if listing == '' or now == '' then return true end
    if tonumber(createdAt) + ${MISSED_MARGIN_MS} < tonumber(redis.call('HGET', meta, 'r:' .. issuer) or '0') then return false end
    enlist(list, meta, sid, at, listing, now, issuer)
    return true
  end
  if tonumber(score) < tonumber(at) then redis.call('ZADD', list, at, sid) end
  if now ~= '' then redis.call('HSET', meta, 'u:' .. sid, now) end
  keepUntil(list, meta, at)
  return true
end
local function unlist(list, meta, sid)
  redis.call('ZREM', list, sid)
  redis.call('HDEL', meta, 'm:' .. sid, 'u:' .. sid, 'i:' .. sid)
end
local function others(list, meta, now, issuer, keepSid)
  local out = {}
  for _, sid in ipairs(redis.call('ZRANGEBYSCORE', list, '(' .. now, '+inf')) do
    local owner = redis.call('HGET', meta, 'i:' .. sid)
    if sid ~= keepSid and (issuer == '' or not owner or owner == issuer) then table.insert(out, sid) end
  end
  return out
end
local function keepListed(list, meta, sid, at, listing, now, issuer, untilAt)
  if not redis.call('ZSCORE', list, sid) then enlist(list, meta, sid, at, listing, now, issuer) end
  redis.call('HSET', meta, 'r:' .. issuer, now)
  keepUntil(list, meta, untilAt)
end
`;

/** Lua: `markRevoked(session, unknownExpiresAt)`, the session's `sub` (false when unknown). */
export const REVOKE_FUNCTION = `local function markRevoked(key, unknownAt)
  local known = redis.call('EXISTS', key)
  redis.call('HSET', key, 'revoked', '1')
  if known == 0 then redis.call('PEXPIREAT', key, unknownAt) end
  return redis.call('HGET', key, 'sub')
end
`;

// The checks of the kept session, on one Redis. KEYS: list, meta, subject, the presented token's
// revoked mark, and the kept session's hash when it has one. ARGV as in 'revokeOthers'. True when
// the caller may go on: its session exists, is the subject's, is not revoked (by a flag or by the
// subject's generation), and its token is not revoked; a kept session not listed is listed.
const KEPT_CHECK = `local function keptAlive()
  local gen = tonumber(redis.call('GET', KEYS[3]) or '0')
  if redis.call('EXISTS', KEYS[4]) == 1 then return false end
  if #KEYS == 4 then return ARGV[9] == '' or tonumber(ARGV[9]) >= gen end
  local s = redis.call('HMGET', KEYS[5], 'sub', 'gen', 'revoked')
  if s[1] ~= ARGV[8] or s[3] == '1' or tonumber(s[2] or '0') < gen then return false end
  keepListed(KEYS[1], KEYS[2], ARGV[3], redis.call('PEXPIRETIME', KEYS[5]), ARGV[4], ARGV[1], ARGV[2], ARGV[5])
  return true
end
`;

/** The inventory's own scripts, by name (merged into `SCRIPTS`). */
export const INVENTORY_SCRIPTS = {
  // Cluster logins: KEYS: subject, list, meta. ARGV: sid, expiresAt, listing, now, issuer. Lists
  // the session and returns the subject's generation (same slot), before the session is created.
  enlist: `${INVENTORY_FUNCTIONS}enlist(KEYS[2], KEYS[3], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5])
return redis.call('GET', KEYS[1]) or '0'`,
  // Cluster rotations: KEYS: list, meta, subject (one slot). ARGV: expiresAt, sid, now ('' : not a
  // use), listing, issuer, createdAt, and the session's generation (read by 'update' in the
  // session's slot). 0 when a revokeOtherSessions missed the session.
  relist: `${INVENTORY_FUNCTIONS}if relist(KEYS[1], KEYS[2], ARGV[2], ARGV[1], ARGV[3], ARGV[4], ARGV[5], ARGV[6], KEYS[3], ARGV[7]) then return 1 end
return 0`,
  // KEYS: list, meta. ARGV: now, issuer ('': every issuer's). Read only: sid, listing, last use,
  // for each live session.
  list: `${INVENTORY_FUNCTIONS}local out = {}
for _, sid in ipairs(others(KEYS[1], KEYS[2], ARGV[1], ARGV[2])) do
  local m = redis.call('HMGET', KEYS[2], 'm:' .. sid, 'u:' .. sid)
  table.insert(out, sid)
  table.insert(out, m[1] or '{}')
  table.insert(out, m[2] or '0')
end
return out`,
  // KEYS: list, meta. ARGV: sid, now, interval. Writes only when the last use is that old.
  touch: `if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
local last = tonumber(redis.call('HGET', KEYS[2], 'u:' .. ARGV[1]) or '0')
if tonumber(ARGV[2]) - last < tonumber(ARGV[3]) then return 0 end
redis.call('HSET', KEYS[2], 'u:' .. ARGV[1], ARGV[2])
return 1`,
  // KEYS: list, meta. ARGV: the sids to unlist. A session's 'x:' mark (being ended by a cluster's
  // revokeOtherSessions) stays until the inventory expires: its own call must still be refused.
  forget: `${INVENTORY_FUNCTIONS}for _, sid in ipairs(ARGV) do unlist(KEYS[1], KEYS[2], sid) end`,
  // One Redis. KEYS: see KEPT_CHECK. ARGV: now, issuer, keepSid ('': none), the kept session's
  // listing, unknownExpiresAt (as claimOthers), then the channel, the session key prefix, sub, the
  // token's sub_gen ('': none or a session's), the announcement prefix. The kept session is checked, then every other
  // session of the issuer listed now is revoked, unlisted and announced, all in one step: a
  // rotation, a login or another revokeOtherSessions runs wholly before or after it. The session
  // keys are built here (one Redis: no slots to declare). False when refused.
  revokeOthers: `${INVENTORY_FUNCTIONS}${REVOKE_FUNCTION}${KEPT_CHECK}if not keptAlive() then return false end
local done = others(KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3])
for _, sid in ipairs(done) do
  markRevoked(ARGV[7] .. sid, ARGV[5])
  unlist(KEYS[1], KEYS[2], sid)
  redis.call('PUBLISH', ARGV[6], ARGV[10] .. sid)
end
return done`,
  // Cluster, the subject's slot. KEYS: list, meta. ARGV: now, issuer, keepSid ('': none), the kept
  // session's listing, unknownExpiresAt, the kept session's expiry. Refused (false) when the kept
  // session is being ended by another call ('x:' mark); else lists it if it was not, marks every other session of the issuer listed
  // now as being ended and returns them: of two concurrent calls, the second sees its mark.
  claimOthers: `${INVENTORY_FUNCTIONS}if ARGV[3] ~= '' then
  if redis.call('HEXISTS', KEYS[2], 'x:' .. ARGV[3]) == 1 then return false end
  keepListed(KEYS[1], KEYS[2], ARGV[3], ARGV[6], ARGV[4], ARGV[1], ARGV[2], ARGV[5])
end
local out = others(KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3])
for _, sid in ipairs(out) do redis.call('HSET', KEYS[2], 'x:' .. sid, '1') end
return out`,
  // Not the inventory's, but as small: auth.rateLimit's sliding window. KEYS: the key's sorted set
  // of allowed calls. ARGV: limit, window (ms), a unique member. Redis's own clock: every process
  // counts in one time line.
  rateLimit: `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit, window = tonumber(ARGV[1]), tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + window - now)`,
} as const;
