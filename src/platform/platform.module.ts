import { Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import type { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { HttpPlatformModule } from './http/http-platform.module';
import { LifecycleModule } from './lifecycle/lifecycle.module';
import { MailModule } from './mail/mail.module';
import { ObservabilityModule } from './observability/observability.module';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { RedisModule } from './redis/redis.module';
import { SseModule } from './sse/sse.module';

/**
 * Shared infrastructure, all global: config, logs/metrics, lifecycle, Postgres, Redis, HTTP,
 * health, rate limits, SSE and mail. Knows no business rule and imports no feature module.
 */
@Module({})
export class PlatformModule {
  static forRoot(config: AppConfig, logger: Logger): DynamicModule {
    return {
      module: PlatformModule,
      imports: [
        ConfigModule.forRoot(config),
        ObservabilityModule.forRoot(logger),
        LifecycleModule,
        DatabaseModule,
        RedisModule,
        HttpPlatformModule,
        HealthModule,
        RateLimitModule,
        SseModule,
        MailModule,
      ],
    };
  }
}
