/**
 * Fixed window: INCR and the first-hit EXPIRE in one step, so a lost EXPIRE can never leave a
 * counter that blocks forever (the replaced service got this wrong: it ran INCR and EXPIRE as two
 * separate commands). A counter found without a TTL is healed. Returns {count, ttl}.
 */
export const FIXED_WINDOW_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('TTL', KEYS[1])
if ttl < 0 then
  redis.call('EXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
`;

/**
 * Concurrency lease: drop expired leases, then grant one if below the limit. At the limit, an
 * evicting acquire (ARGV[5] = 1) removes the oldest leases (members sort by acquisition time,
 * see lease-member.ts) until one slot is free, PUBLISHes each evicted member on ARGV[6] in the
 * same atomic step, and grants; otherwise it refuses. The set never holds more than the limit.
 * ARGV: now_ms, ttl_ms, limit, member, evict (0|1), eviction channel.
 * Returns {granted(0|1), oldest_expiry_ms, evicted members...} (built with `unpack`: the
 * in-process Redis of development drops tables grown after their constructor).
 */
export const LEASE_ACQUIRE_SCRIPT = `
local now = tonumber(ARGV[1])
local limit = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local count = redis.call('ZCARD', KEYS[1])
local evicted = {}
if count >= limit then
  if ARGV[5] ~= '1' then
    local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
    return {0, tonumber(oldest[2]) or 0}
  end
  local members = redis.call('ZRANGE', KEYS[1], 0, -1)
  table.sort(members)
  for i = 1, count - limit + 1 do
    redis.call('ZREM', KEYS[1], members[i])
    redis.call('PUBLISH', ARGV[6], members[i])
    evicted[#evicted + 1] = members[i]
  end
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {1, 0, unpack(evicted)}
`;

/** Extends a held lease (only if still present). ARGV: new_expiry_ms, ttl_ms, lease_id. */
export const LEASE_HEARTBEAT_SCRIPT = `
if redis.call('ZSCORE', KEYS[1], ARGV[3]) then
  redis.call('ZADD', KEYS[1], ARGV[1], ARGV[3])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
`;
