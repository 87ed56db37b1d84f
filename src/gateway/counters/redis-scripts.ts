/**
 * The Lua scripts behind the Redis counters. Each decision is one script run: Redis runs a script
 * alone, so no two gateway nodes can both read "one call left" and both take it. Times are the
 * caller's (`now`, epoch ms), not Redis's clock, so every node judges a window by the one clock it
 * was given; key expiry (real time) only reclaims memory once nothing in a key can matter again.
 *
 * Replies are arrays of integers and strings (Lua numbers become integers on the way out, so a
 * fraction travels as a string).
 */

/** The arguments both rate scripts start with: op (take | peek | add), now, period ms, limit, calls to count. */
const RATE_ARGS = `
local key = KEYS[1]
local op = ARGV[1]
local now = tonumber(ARGV[2])
local period = tonumber(ARGV[3])
local limit = tonumber(ARGV[4])
local adding = tonumber(ARGV[5])
`;

/**
 * Exact sliding log: a sorted set of one member per counted call, scored by its time. A call at
 * `t` counts while `now - period < t` (calls timed after `now`, by a node whose clock runs ahead,
 * count too). Members are dropped only `skew` ms after they stop counting, so a call that reaches
 * Redis after one timed later than it (another node, another clock) still sees every call of its
 * window. ARGV: op, now, period ms, limit (take, peek), members to add, member id prefix, skew ms.
 * Reply: {1, calls in the window before this one} or {0, calls, time (ms) at which the window
 * holds fewer than `limit`}.
 */
export const RATE_LOG_LUA = `${RATE_ARGS}local id = ARGV[6]
local skew = tonumber(ARGV[7])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - period - skew)
local from = '(' .. (now - period)
local n = redis.call('ZCOUNT', key, from, '+inf')
if op ~= 'add' and n >= limit then
  local nth = redis.call('ZRANGEBYSCORE', key, from, '+inf', 'WITHSCORES', 'LIMIT', n - limit, 1)
  return {0, n, tonumber(nth[2]) + period}
end
if op ~= 'peek' and adding > 0 then
  for i = 1, adding do redis.call('ZADD', key, now, id .. '.' .. i) end
  redis.call('PEXPIRE', key, period + skew)
end
return {1, n}
`;

/**
 * Sliding window counter for large limits: `buckets` sub-windows of period/buckets each, a hash
 * field per sub-window. The estimate counts the sub-windows inside the window in full and the one
 * the window's start falls in by the fraction of it still inside, as if its calls were spread
 * evenly across it. Sub-windows are dropped `skew` ms after they stop counting (as the log's
 * members). ARGV: op, now, period ms, limit, calls to add, buckets, skew ms.
 * Reply: {1, ceil(estimate)} or {0, ceil(estimate), time (ms) at which the estimate falls below
 * `limit` if no call is counted meanwhile}.
 */
export const RATE_BUCKETS_LUA = `${RATE_ARGS}local buckets = tonumber(ARGV[6])
local skew = tonumber(ARGV[7])
local width = period / buckets
local current = math.floor(now / width)
local kept = current - buckets - math.ceil(skew / width)
local fields = redis.call('HGETALL', key)
local counts = {}
local inside = 0
local partial = 0
for i = 1, #fields, 2 do
  local b = tonumber(fields[i])
  local v = tonumber(fields[i + 1])
  if b < kept then
    redis.call('HDEL', key, fields[i])
  elseif b < current - buckets then
    -- Out of this call's window; kept for a call timed earlier.
  elseif b == current - buckets then
    partial = v
  else
    inside = inside + v
    counts[b] = v
  end
end
local estimate = inside + partial * (1 - (now - current * width) / width)
if op == 'add' or estimate < limit then
  if op ~= 'peek' and adding > 0 then
    redis.call('HINCRBY', key, current, adding)
    redis.call('PEXPIRE', key, math.ceil(period + width + skew))
  end
  return {1, math.ceil(estimate)}
end
counts[current - buckets] = partial
for k = 0, buckets + 1 do
  local from = (current + k) * width
  local full = 0
  for b, v in pairs(counts) do
    if b > current + k - buckets then full = full + v end
  end
  if full < limit then
    local old = counts[current + k - buckets] or 0
    local at = from
    if old > 0 then at = math.max(from, math.floor(from + width * (1 - (limit - full) / old)) + 1) end
    at = math.max(at, now)
    if at < from + width then return {0, math.ceil(estimate), math.ceil(at)} end
  end
end
return {0, math.ceil(estimate), math.ceil(now + period)}
`;

/** What both quota scripts share: a period's hash (s, e, c, k) and the index of a key's periods. */
const QUOTA_PRELUDE = `
local function ensure_period(hash, index, start, finish, now)
  if redis.call('EXISTS', hash) == 1 then return end
  redis.call('HSET', hash, 's', start, 'e', finish, 'c', 0, 'k', 0)
  if finish == 'inf' then
    redis.call('ZADD', index, '+inf', start)
    redis.call('PERSIST', index)
    return
  end
  redis.call('PEXPIRE', hash, math.max(1, tonumber(finish) - now))
  redis.call('ZADD', index, finish, start)
  local last = redis.call('ZRANGE', index, -1, -1, 'WITHSCORES')
  if last[2] ~= 'inf' then redis.call('PEXPIRE', index, math.max(1, tonumber(last[2]) - now)) end
end

local function read_periods(index, prefix, only)
  local starts = only and {only} or redis.call('ZRANGE', index, 0, -1)
  local out = {}
  for _, s in ipairs(starts) do
    local v = redis.call('HMGET', prefix .. s, 's', 'e', 'c', 'k')
    if v[1] then
      for i = 1, 4 do table.insert(out, v[i]) end
    elseif not only then
      redis.call('ZREM', index, s)
    end
  end
  return out
end
`;

/**
 * A fixed quota window. KEYS: the period's hash, the key's index of periods. ARGV: op (take | add),
 * window start, window end (or 'inf'), calls limit ('' none), kilobytes limit ('' none), calls,
 * kilobytes, now.
 * Reply (take): {1 or 0, calls counted after the decision, kilobytes as a string}.
 */
export const QUOTA_LUA = `${QUOTA_PRELUDE}
local hash = KEYS[1]
local index = KEYS[2]
local op = ARGV[1]
local start = ARGV[2]
local finish = ARGV[3]
local max_calls = tonumber(ARGV[4])
local max_kb = tonumber(ARGV[5])
local calls = tonumber(ARGV[6])
local kb = tonumber(ARGV[7])
local now = tonumber(ARGV[8])
if op == 'add' then
  ensure_period(hash, index, start, finish, now)
  if calls ~= 0 then redis.call('HINCRBY', hash, 'c', calls) end
  if kb ~= 0 then redis.call('HINCRBYFLOAT', hash, 'k', kb) end
  return {1, 0, '0'}
end
local v = redis.call('HMGET', hash, 'c', 'k')
local c = tonumber(v[1]) or 0
local k = tonumber(v[2]) or 0
if (max_calls and c >= max_calls) or (max_kb and k >= max_kb) then
  return {0, c, tostring(k)}
end
ensure_period(hash, index, start, finish, now)
if calls ~= 0 then c = redis.call('HINCRBY', hash, 'c', calls) end
return {1, c, tostring(k)}
`;

/** A key's periods: KEYS: its index. ARGV: the prefix of its period hashes. Reply: s, e, c, k per period. */
export const QUOTA_PERIODS_LUA = `${QUOTA_PRELUDE}
return read_periods(KEYS[1], ARGV[1], nil)
`;

/**
 * Sets the calls and/or kilobytes of a key's periods (all, or the one starting at ARGV[4]).
 * KEYS: its index. ARGV: the prefix of its period hashes, calls ('' leave), kilobytes ('' leave),
 * start ('' all). Reply: the periods changed, as QUOTA_PERIODS_LUA's.
 */
export const QUOTA_SET_LUA = `${QUOTA_PRELUDE}
local only = ARGV[4] ~= '' and ARGV[4] or nil
local periods = read_periods(KEYS[1], ARGV[1], only)
for i = 1, #periods, 4 do
  local hash = ARGV[1] .. periods[i]
  if ARGV[2] ~= '' then redis.call('HSET', hash, 'c', ARGV[2]); periods[i + 2] = ARGV[2] end
  if ARGV[3] ~= '' then redis.call('HSET', hash, 'k', ARGV[3]); periods[i + 3] = ARGV[3] end
end
return periods
`;
