/** Digits of the acquisition time (whole ms since the epoch) at the start of a lease member. */
const TIME_WIDTH = 15;

/**
 * The sorted-set member of one concurrency lease: `<acquired-at ms, zero-padded>.<us>:<id>`.
 * The set's scores are expiries (moved by every heartbeat), so acquisition order lives in the
 * member itself: members sort by age as plain strings, which is how the acquire script finds
 * the oldest lease to evict.
 */
export function leaseMember(acquiredAtMs: number, leaseId: string): string {
  const micros = Math.round(Math.max(0, acquiredAtMs) * 1000);
  const whole = String(Math.floor(micros / 1000)).padStart(TIME_WIDTH, '0');
  const fraction = String(micros % 1000).padStart(3, '0');
  return `${whole}.${fraction}:${leaseId}`;
}

/**
 * Acquisition times that strictly increase within a process (wall clock, plus a microsecond
 * when two acquires fall in the same millisecond), so same-process order is exact; across
 * replicas the order is as good as their clocks.
 */
export class AcquisitionClock {
  private last = 0;

  next(nowMs: number = Date.now()): number {
    this.last = Math.max(nowMs, this.last + 0.001);
    return this.last;
  }
}

/** The acquisition time of a lease member, or null for members not written by `leaseMember`. */
export function leaseAcquiredAt(member: string): number | null {
  const match = /^(\d{15})\.(\d{3}):./.exec(member);
  return match ? Number(match[1]) + Number(match[2]) / 1000 : null;
}

/**
 * The pub/sub channel that tells holders their lease was evicted (payload: the lease member).
 * ioredis applies REDIS_KEY_PREFIX to keys only, never to channels, so the prefix is part of
 * the name here: deployments sharing one Redis under different prefixes do not hear each other.
 */
export function leaseEvictionChannel(redisKeyPrefix: string, rateLimitPrefix: string): string {
  return `${redisKeyPrefix}${rateLimitPrefix}:concurrency-evictions`;
}
