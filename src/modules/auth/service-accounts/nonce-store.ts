import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { LoggerFactory, logEvent } from '../../../platform/observability/logger.factory';
import { RedisService } from '../../../platform/redis/redis.service';
import { AuthMetrics } from '../auth.metrics';
import {
  ServiceAccountErrorCode as Code,
  ServiceAccountException,
} from './service-accounts.errors';
import { NONCE_TTL_SECONDS } from './vault-payload';

/**
 * Replay protection of Vault-signed payloads: `SET auth:nonce:<nonce> 1 EX 630 NX` in Redis, so
 * every replica sees every nonce. Fails closed: without Redis no nonce can be proven fresh.
 */
@Injectable()
export class NonceStore {
  private readonly log: Logger;

  constructor(
    private readonly redis: RedisService,
    private readonly metrics: AuthMetrics,
    loggers: LoggerFactory,
  ) {
    this.log = loggers.get('auth.observability');
  }

  /** Records the nonce; throws 401 when it was seen within the TTL. */
  async claim(nonce: string, ttlSeconds = NONCE_TTL_SECONDS): Promise<void> {
    const digest = createHash('sha256').update(nonce).digest('hex').slice(0, 16);
    let stored: string | null;
    try {
      stored = await this.redis.client.set(`auth:nonce:${nonce}`, '1', 'EX', ttlSeconds, 'NX');
    } catch (error) {
      this.log.error({ err: error }, 'Nonce store unavailable; refusing Vault-signed issuance');
      throw ServiceAccountException.unavailable(
        'Replay protection unavailable. Retry later.',
        Code.VaultUnavailable,
      );
    }
    const hit = stored === null;
    (hit ? this.metrics.nonceHits : this.metrics.nonceMisses).inc();
    logEvent(this.log, hit ? 'warn' : 'info', 'vault_nonce_cache', {
      result: hit ? 'hit' : 'miss',
      reason: hit ? 'replay' : 'stored',
      nonce_digest: digest,
    });
    if (hit) {
      throw ServiceAccountException.unauthorized(
        'Vault payload nonce already used.',
        Code.VaultNonceReused,
      );
    }
  }
}
