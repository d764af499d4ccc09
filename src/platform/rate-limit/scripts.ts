/**
 * Fixed window: INCR and the first-hit EXPIRE in one step, so a lost EXPIRE can never leave a
 * counter that blocks forever (the reference's non-atomic pair, chat spec 11.1 B13). A counter
 * found without a TTL is healed. Returns {count, ttl}.
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
 * Concurrency lease: drop expired leases, then grant one if below the limit.
 * ARGV: now_ms, ttl_ms, limit, lease_id. Returns {granted(0|1), oldest_expiry_ms}.
 */
export const LEASE_ACQUIRE_SCRIPT = `
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local count = redis.call('ZCARD', KEYS[1])
if count >= tonumber(ARGV[3]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {0, tonumber(oldest[2]) or 0}
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {1, 0}
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
