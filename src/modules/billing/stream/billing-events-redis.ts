import { Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { AppConfig } from '../../../platform/config/app-config';
import { RedisService } from '../../../platform/redis/redis.service';

/**
 * The Redis holding billing streams: BILLING_EVENTS_REDIS_URL, else REDIS_URL, else the in-process
 * Redis of development. Connections come from RedisService, which closes them on shutdown and
 * applies REDIS_KEY_PREFIX.
 */
@Injectable()
export class BillingEventsRedis {
  readonly commands: Redis;
  /** In-process Redis: its XREAD cannot serve several readers, so readers poll XRANGE. */
  readonly embedded: boolean;

  constructor(
    private readonly config: AppConfig,
    private readonly redis: RedisService,
  ) {
    const dedicated =
      config.BILLING_EVENTS_REDIS_URL && config.BILLING_EVENTS_REDIS_URL !== config.REDIS_URL;
    this.commands = dedicated
      ? redis.createConnection('billing-events', config.BILLING_EVENTS_REDIS_URL)
      : redis.client;
    this.embedded = !config.billingEventsRedisUrl;
  }

  /** A connection of its own for blocking reads. */
  blockingConnection(name: string): Redis {
    return this.redis.createConnection(name, this.config.billingEventsRedisUrl);
  }
}
