import { Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppConfig } from '../../../platform/config/app-config';
import { LoggerFactory, logEvent } from '../../../platform/observability/logger.factory';
import { RedisService } from '../../../platform/redis/redis.service';
import {
  ServiceAccountErrorCode as Code,
  ServiceAccountException,
} from './service-accounts.errors';

/** Reference limits: sliding 60 s windows. */
export const PER_ACCOUNT_LIMIT = 5;
export const GLOBAL_LIMIT = 30;
export const WINDOW_SECONDS = 60;

/**
 * Both sliding windows in one atomic step: trim entries older than the window, refuse when
 * either set is full (1 = per account, 2 = global, with the oldest entry's score), otherwise
 * record the attempt in both.
 */
const SLIDING_WINDOW_SCRIPT = `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limits = { tonumber(ARGV[3]), tonumber(ARGV[4]) }
for i = 1, 2 do
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
end
for i = 1, 2 do
  if redis.call('ZCARD', KEYS[i]) >= limits[i] then
    local oldest = redis.call('ZRANGE', KEYS[i], 0, 0, 'WITHSCORES')
    return { i, tonumber(oldest[2]) or now }
  end
end
for i = 1, 2 do
  redis.call('ZADD', KEYS[i], now, ARGV[5])
  redis.call('PEXPIRE', KEYS[i], window)
end
return { 0, 0 }
`;

/**
 * Issuance quotas shared by every replica (the reference kept them in process memory, per worker).
 * Fails closed: issuance mints long-lived credentials.
 */
@Injectable()
export class IssuanceRateLimiter {
  private readonly log: Logger;
  private sequence = 0;

  constructor(
    private readonly config: AppConfig,
    private readonly redis: RedisService,
    loggers: LoggerFactory,
  ) {
    this.log = loggers.get('auth.observability');
  }

  async hit(account: string): Promise<void> {
    const prefix = this.config.RATE_LIMIT_KEY_PREFIX.trim() || 'rate-limit';
    const base = `${prefix}:quota:service_account_issuance`;
    const now = Date.now();
    const member = `${now}:${process.pid}:${(this.sequence += 1)}:${Math.random()}`;
    let verdict: [number, number];
    try {
      verdict = (await this.redis.client.eval(
        SLIDING_WINDOW_SCRIPT,
        2,
        `${base}:account:${account}`,
        `${base}:global`,
        now,
        WINDOW_SECONDS * 1000,
        PER_ACCOUNT_LIMIT,
        GLOBAL_LIMIT,
        member,
      )) as [number, number];
    } catch (error) {
      this.log.error({ err: error }, 'Issuance rate limiter unavailable; refusing issuance');
      throw ServiceAccountException.unavailable(
        'Rate limiter unavailable. Retry later.',
        Code.RateLimiterUnavailable,
      );
    }
    const [blocked, oldest] = verdict.map(Number);
    if (blocked === 0) return;
    const perAccount = blocked === 1;
    logEvent(this.log, 'warn', 'service_account_rate_limit', {
      account,
      limit_type: perAccount ? 'per_account' : 'global',
      in_flight: perAccount ? PER_ACCOUNT_LIMIT : GLOBAL_LIMIT,
    });
    const retryAfter = Math.max(1, Math.ceil((oldest + WINDOW_SECONDS * 1000 - now) / 1000));
    throw new ServiceAccountException(
      429,
      perAccount
        ? `Issuance rate limit exceeded for account '${account}'. Retry later.`
        : 'Global service-account issuance rate limit exceeded. Retry later.',
      Code.RateLimited,
      { 'Retry-After': String(retryAfter) },
    );
  }
}
