import { Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppConfig } from '../../../platform/config/app-config';
import { LoggerFactory, logEvent } from '../../../platform/observability/logger.factory';
import { RedisService } from '../../../platform/redis/redis.service';
import { AuthMetrics } from '../auth.metrics';
import { piiDigest } from '../pii-digest';
import { ipThrottleTokens } from '../client/ip-address';

/** INCR; EXPIRE only on the first hit (fixed window). Returns the count. */
const FIXED_WINDOW_INCR = `
local count = redis.call('INCR', KEYS[1])
if count == 1 or redis.call('TTL', KEYS[1]) < 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count
`;

/** INCR and re-arm the TTL on every hit (sliding window). Returns the count. */
const SLIDING_WINDOW_INCR = `
local count = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return count
`;

/**
 * Per-user lockout and per-IP login throttle in Redis, with the reference's keys:
 * `auth:lockout:counter|state:<user_id>`, `auth:ip:counter|block:<ip or /24>`. Redis errors
 * propagate (fail closed), as in the reference.
 */
@Injectable()
export class LoginThrottle {
  private readonly log: Logger;

  constructor(
    private readonly config: AppConfig,
    private readonly redis: RedisService,
    private readonly metrics: AuthMetrics,
    loggers: LoggerFactory,
  ) {
    this.log = loggers.get('auth.observability');
  }

  /** Whether the IP or its /24 is blocked. Unknown IPs are never throttled. */
  async ipBlocked(ip: string | null): Promise<boolean> {
    const tokens = ipThrottleTokens(ip);
    if (tokens.length === 0) return false;
    const found = await this.redis.client.exists(
      ...tokens.map((token) => `auth:ip:block:${token}`),
    );
    return found > 0;
  }

  /** Counts a failed login (unknown email or wrong password) against the IP and its /24. */
  async registerIpFailure(ip: string | null): Promise<void> {
    for (const token of ipThrottleTokens(ip)) {
      const count = Number(
        await this.redis.client.eval(
          FIXED_WINDOW_INCR,
          1,
          `auth:ip:counter:${token}`,
          this.config.AUTH_IP_LOCKOUT_WINDOW_MINUTES * 60,
        ),
      );
      if (count < this.config.AUTH_IP_LOCKOUT_THRESHOLD) continue;
      await this.redis.client
        .multi()
        .set(`auth:ip:block:${token}`, '1', 'EX', this.config.AUTH_IP_LOCKOUT_DURATION_MINUTES * 60)
        .del(`auth:ip:counter:${token}`)
        .exec();
      this.metrics.lockouts.inc({ reason: 'ip' });
      logEvent(this.log, 'warn', 'auth.ip_lockout', {
        // The reference logged the raw IP; a digest still correlates without the PII.
        token_hash: piiDigest(this.config.sessionIpHashSalt, token),
        subnet: token.endsWith('/24'),
        threshold: this.config.AUTH_IP_LOCKOUT_THRESHOLD,
      });
    }
  }

  /** Counts a wrong password for the user (the window re-arms on each failure); returns the count. */
  async registerUserFailure(userId: string): Promise<number> {
    return Number(
      await this.redis.client.eval(
        SLIDING_WINDOW_INCR,
        1,
        `auth:lockout:counter:${userId}`,
        Math.max(1, Math.round(this.config.AUTH_LOCKOUT_WINDOW_MINUTES * 60_000)),
      ),
    );
  }

  async lockUser(userId: string): Promise<void> {
    await this.redis.client.set(
      `auth:lockout:state:${userId}`,
      '1',
      'PX',
      Math.max(1, Math.round(this.config.AUTH_LOCKOUT_DURATION_MINUTES * 60_000)),
    );
    this.metrics.lockouts.inc({ reason: 'user' });
  }

  async isUserLocked(userId: string): Promise<boolean> {
    return (await this.redis.client.exists(`auth:lockout:state:${userId}`)) > 0;
  }

  /** Clears the failure counter and the lock flag (successful login, password change/reset). */
  async clearUser(userId: string): Promise<void> {
    await this.redis.client.del(`auth:lockout:counter:${userId}`, `auth:lockout:state:${userId}`);
  }
}
