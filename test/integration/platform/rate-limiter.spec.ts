import { RateLimitExceededException } from '../../../src/platform/rate-limit/rate-limit.exception';
import { RateLimiter } from '../../../src/platform/rate-limit/rate-limiter.service';
import { AppException } from '../../../src/platform/http/app-exception';
import { MetricsService } from '../../../src/platform/observability/metrics.service';
import { startTestApp, type TestApp } from '../../support/test-app';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('RateLimiter on Redis (decision C6)', () => {
  let t: TestApp;
  let limiter: RateLimiter;

  beforeAll(async () => {
    t = await startTestApp();
    limiter = t.app.get(RateLimiter);
  });

  afterAll(async () => {
    await t.close();
  });

  it('allows up to the limit in a fixed window, then answers the reference 429', async () => {
    const spec = { name: 'chat_per_minute', limit: 2, windowSeconds: 60, scope: 'user' as const };
    expect(await limiter.hit(spec, ['tenant a', 'user-1'])).toEqual({
      limit: 2,
      remaining: 1,
      resetSeconds: 60,
    });
    await limiter.hit(spec, ['tenant a', 'user-1']);
    const error = await limiter.hit(spec, ['tenant a', 'user-1']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitExceededException);
    const exception = error as RateLimitExceededException;
    expect(exception.getStatus()).toBe(429);
    expect(exception.message).toMatch(
      /^Rate limit exceeded \(chat_per_minute\)\. Retry after \d+s\.$/,
    );
    expect(Number(exception.headers['Retry-After'])).toBeGreaterThanOrEqual(1);
    expect(Number(exception.headers['Retry-After'])).toBeLessThanOrEqual(60);
    // Reference key layout, spaces replaced with underscores, TTL always set (atomic INCR+EXPIRE).
    expect(
      await t.redis.client.ttl('rate-limit:quota:chat_per_minute:tenant_a:user-1'),
    ).toBeGreaterThan(0);
    const metrics = await t.app
      .get(MetricsService)
      .registry.getSingleMetricAsString('rate_limit_hits_total');
    expect(metrics).toContain('rate_limit_hits_total{quota="chat_per_minute",scope="user"} 1');
  });

  it('treats a limit of zero or less as disabled', async () => {
    const spec = { name: 'signup_per_hour', limit: 0, windowSeconds: 3600, scope: 'ip' as const };
    for (let i = 0; i < 5; i += 1) expect(await limiter.hit(spec, ['1.2.3.4'])).toBeNull();
  });

  it('caps concurrent leases, frees a slot on release, and advises a short Retry-After', async () => {
    const spec = {
      name: 'chat_stream_concurrency',
      limit: 1,
      ttlSeconds: 300,
      scope: 'user' as const,
    };
    const lease = await limiter.acquireLease(spec, ['t', 'u-lease']);
    const error = (await limiter
      .acquireLease(spec, ['t', 'u-lease'])
      .catch((e: unknown) => e)) as RateLimitExceededException;
    expect(error).toBeInstanceOf(RateLimitExceededException);
    expect(Number(error.headers['Retry-After'])).toBeLessThanOrEqual(5);
    await lease.release();
    await lease.release();
    const again = await limiter.acquireLease(spec, ['t', 'u-lease']);
    await again.release();
  });

  it('keeps a held lease alive past its TTL with the heartbeat, while an abandoned one lapses', async () => {
    const spec = {
      name: 'billing_stream_concurrency',
      limit: 1,
      ttlSeconds: 1,
      scope: 'tenant' as const,
    };
    const held = await limiter.acquireLease(spec, ['tenant-hb']);
    await sleep(1600);
    await expect(limiter.acquireLease(spec, ['tenant-hb'])).rejects.toBeInstanceOf(
      RateLimitExceededException,
    );
    await held.release();

    // A crashed holder: its entry stays in the set but expires by score, freeing the slot.
    const key = 'rate-limit:concurrency:billing_stream_concurrency:tenant-crash';
    await t.redis.client.zadd(key, Date.now() + 500, 'dead-pod-lease');
    await expect(limiter.acquireLease(spec, ['tenant-crash'])).rejects.toBeInstanceOf(
      RateLimitExceededException,
    );
    await sleep(700);
    const recovered = await limiter.acquireLease(spec, ['tenant-crash']);
    await recovered.release();
  });

  it('with evictOldest, evicts the oldest lease at the limit instead of refusing', async () => {
    const spec = {
      name: 'billing_stream_concurrency',
      limit: 2,
      ttlSeconds: 300,
      scope: 'tenant' as const,
      evictOldest: true,
    };
    const key = 'rate-limit:concurrency:billing_stream_concurrency:tenant-evict';
    const first = await limiter.acquireLease(spec, ['tenant-evict']);
    const second = await limiter.acquireLease(spec, ['tenant-evict']);
    const third = await limiter.acquireLease(spec, ['tenant-evict']);
    expect([first, second, third].map((lease) => lease.evicted.aborted)).toEqual([
      true,
      false,
      false,
    ]);
    expect(await t.redis.client.zcard(key)).toBe(2);
    // Without the option the same full set still refuses.
    await expect(
      limiter.acquireLease({ ...spec, evictOldest: false }, ['tenant-evict']),
    ).rejects.toBeInstanceOf(RateLimitExceededException);
    await first.release();
    expect(await t.redis.client.zcard(key)).toBe(2);
    await second.release();
    await third.release();
    expect(await t.redis.client.zcard(key)).toBe(0);
  });

  it('stops an evictable holder whose lease vanished without a signal (heartbeat)', async () => {
    const spec = {
      name: 'billing_stream_concurrency',
      limit: 1,
      ttlSeconds: 1,
      scope: 'tenant' as const,
      evictOldest: true,
    };
    const key = 'rate-limit:concurrency:billing_stream_concurrency:tenant-lost';
    const lease = await limiter.acquireLease(spec, ['tenant-lost']);
    await t.redis.client.del(key);
    for (let i = 0; i < 60 && !lease.evicted.aborted; i += 1) await sleep(50);
    expect(lease.evicted.aborted).toBe(true);
    await lease.release();
  });
});

describe('RateLimiter when Redis is down', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { REDIS_URL: 'redis://127.0.0.1:1/0' } });
  });

  afterAll(async () => {
    await t.close();
  });

  it('fails open by default and closed (503) for quotas that ask for it', async () => {
    const limiter = t.app.get(RateLimiter);
    const spec = { name: 'chat_per_minute', limit: 1, windowSeconds: 60, scope: 'user' as const };
    expect(await limiter.hit(spec, ['t', 'u'])).toBeNull();
    expect(await limiter.hit(spec, ['t', 'u'])).toBeNull();
    const lease = await limiter.acquireLease({ ...spec, ttlSeconds: 300 }, ['t', 'u']);
    await lease.release();
    const closed = await limiter
      .hit({ ...spec, failClosed: true }, ['t', 'u'])
      .catch((e: unknown) => e);
    expect(closed).toBeInstanceOf(AppException);
    expect((closed as AppException).getStatus()).toBe(503);
  });
});
