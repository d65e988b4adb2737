// The Lua of the session inventory in Redis: per subject a sorted set of its sessions (score:
// when the session expires) and a hash of what each was listed with ('m:<sid>', JSON) and its last
// recorded use ('u:<sid>', ms). Both keys carry the subject's hash tag on a cluster, so every
// script below touches one slot. The two functions are shared with the session scripts that list
// (create) and relist (update) a session in the same step on one Redis.

/** Lua: `enlist(list, meta, sid, expiresAt, listing, now)` and `relist(list, meta, sid, expiresAt, now)`. */
export const INVENTORY_FUNCTIONS = `local function keepUntil(list, meta, at)
  local keep = math.max(redis.call('PEXPIRETIME', list), tonumber(at))
  redis.call('PEXPIREAT', list, keep)
  redis.call('PEXPIREAT', meta, keep)
end
local function enlist(list, meta, sid, at, listing, now)
  local gone = redis.call('ZRANGEBYSCORE', list, '-inf', now)
  for _, old in ipairs(gone) do redis.call('HDEL', meta, 'm:' .. old, 'u:' .. old) end
  if #gone > 0 then redis.call('ZREMRANGEBYSCORE', list, '-inf', now) end
  redis.call('ZADD', list, at, sid)
  redis.call('HSET', meta, 'm:' .. sid, listing, 'u:' .. sid, now)
  keepUntil(list, meta, at)
end
local function relist(list, meta, sid, at, now)
  local score = redis.call('ZSCORE', list, sid)
  if not score then return end
  if tonumber(score) < tonumber(at) then redis.call('ZADD', list, at, sid) end
  if now ~= '' then redis.call('HSET', meta, 'u:' .. sid, now) end
  keepUntil(list, meta, at)
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

/** The inventory's own scripts, by name (merged into `SCRIPTS`). */
export const INVENTORY_SCRIPTS = {
  // Cluster logins: KEYS: subject, list, meta. ARGV: sid, expiresAt, listing, now. Lists the
  // session and returns the subject's generation (same slot), before the session is created.
  enlist: `${INVENTORY_FUNCTIONS}enlist(KEYS[2], KEYS[3], ARGV[1], ARGV[2], ARGV[3], ARGV[4])
return redis.call('GET', KEYS[1]) or '0'`,
  // Cluster rotations: KEYS: list, meta. ARGV: expiresAt, sid, now ('' : not a use).
  relist: `${INVENTORY_FUNCTIONS}relist(KEYS[1], KEYS[2], ARGV[2], ARGV[1], ARGV[3])`,
  // KEYS: list, meta. ARGV: now. Read only: sid, listing, last use, for each live session.
  list: `local out = {}
for _, sid in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. ARGV[1], '+inf')) do
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
  // KEYS: list, meta. ARGV: the sids to unlist.
  forget: `for _, sid in ipairs(ARGV) do
  redis.call('ZREM', KEYS[1], sid)
  redis.call('HDEL', KEYS[2], 'm:' .. sid, 'u:' .. sid)
end`,
  // One Redis: KEYS: list, meta, then the n sessions. ARGV: unknownExpiresAt, channel, the n sids,
  // the n announcements. Each session still listed is revoked, unlisted and announced, all in
  // one step: a rotation or a revocation runs wholly before or after it.
  revokeOthers: `${REVOKE_FUNCTION}local n = #KEYS - 2
local done = {}
for i = 1, n do
  local sid = ARGV[2 + i]
  if redis.call('ZSCORE', KEYS[1], sid) then
    markRevoked(KEYS[2 + i], ARGV[1])
    redis.call('ZREM', KEYS[1], sid)
    redis.call('HDEL', KEYS[2], 'm:' .. sid, 'u:' .. sid)
    redis.call('PUBLISH', ARGV[2], ARGV[2 + n + i])
    table.insert(done, sid)
  end
end
return done`,
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
