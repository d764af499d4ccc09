import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import Redis, { type RedisOptions } from 'ioredis';
import RedisMock from 'ioredis-mock';
import type { Logger } from 'pino';
import { AppConfig } from '../config/app-config';
import { maskUrlCredentials } from '../config/masking';
import { withTimeout } from '../health/with-timeout';
import type { Counter } from 'prom-client';
import { LoggerFactory } from '../observability/logger.factory';
import { MetricsService } from '../observability/metrics.service';

/** The in-process Redis of development mode; every mock connection to it shares one dataset. */
const EMBEDDED_REDIS_URL = 'redis://embedded-redis:6379/0';

/**
 * Owns every Redis connection of the process: the shared command client, plus dedicated
 * connections for blocking reads and pub/sub (which cannot share a connection). All of them
 * are closed on shutdown. With no REDIS_URL an in-process ioredis-mock stands in (P10).
 */
@Injectable()
export class RedisService implements OnModuleInit, OnApplicationShutdown {
  readonly client: Redis;
  readonly embedded: boolean;
  private readonly extra = new Set<Redis>();
  private readonly log: Logger;
  private readonly errors: Counter<'connection'>;

  constructor(
    private readonly config: AppConfig,
    loggers: LoggerFactory,
    metrics: MetricsService,
  ) {
    this.log = loggers.get('redis');
    // Connection errors (refused, reset, timed out): a rising rate is Redis going away before
    // the readiness probe notices, since commands fail fast and callers fall back.
    this.errors = metrics.counter({
      name: 'redis_connection_errors_total',
      help: 'Redis connection errors by connection',
      labelNames: ['connection'],
    });
    this.errors.inc({ connection: 'main' }, 0);
    this.embedded = !config.REDIS_URL;
    // No offline queue: while Redis is unreachable commands fail at once, so fail-open rate
    // limits and cache fallbacks answer immediately instead of waiting for a reconnect.
    this.client = this.connect('main', { commandTimeout: 2000, enableOfflineQueue: false });
  }

  /** Waits (briefly, non-fatally) for the first connection so early requests find it ready. */
  async onModuleInit(): Promise<void> {
    if (this.embedded || this.client.status === 'ready') return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 3000);
      timer.unref();
      this.client.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** A new connection for blocking commands (XREAD BLOCK) or subscriptions; closed on shutdown. */
  createConnection(name: string, url?: string): Redis {
    const connection = this.connect(name, {}, url);
    this.extra.add(connection);
    connection.once('end', () => this.extra.delete(connection));
    return connection;
  }

  async ping(timeoutMs: number): Promise<void> {
    await withTimeout(this.client.ping(), timeoutMs, 'redis ping timed out');
  }

  async onApplicationShutdown(): Promise<void> {
    const connections = [this.client, ...this.extra];
    await Promise.all(connections.map((c) => c.quit().catch(() => c.disconnect())));
  }

  private connect(name: string, overrides: RedisOptions, url = this.config.REDIS_URL): Redis {
    const options: RedisOptions = {
      keyPrefix: this.config.REDIS_KEY_PREFIX || undefined,
      connectionName: `${this.config.APP_NAME}:${name}`,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
      ...overrides,
    };
    if (!url) return new RedisMock(EMBEDDED_REDIS_URL, options);
    const client = new Redis(url, options);
    client.on('error', (error: Error) => {
      this.errors.inc({ connection: name });
      this.log.warn(
        { err: error.message, connection: name, url: maskUrlCredentials(url) },
        'Redis connection error',
      );
    });
    return client;
  }
}
