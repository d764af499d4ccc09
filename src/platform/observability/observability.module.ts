import { Global, Module, type DynamicModule } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import type { Logger } from 'pino';
import { AppConfig } from '../config/app-config';
import { LoggerFactory } from './logger.factory';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';
import { ROOT_LOGGER } from './tokens';

/**
 * Logging and metrics for every module. The root logger is created before Nest (app factory) and
 * handed in, so bootstrap messages and request lines share one stream.
 */
@Global()
@Module({})
export class ObservabilityModule {
  static forRoot(rootLogger: Logger): DynamicModule {
    return {
      module: ObservabilityModule,
      imports: [
        // The library's global-registry default metrics stay off: each app owns its registry.
        PrometheusModule.register({
          controller: MetricsController,
          defaultMetrics: { enabled: false },
        }),
      ],
      providers: [
        { provide: ROOT_LOGGER, useValue: rootLogger },
        { provide: LoggerFactory, useValue: new LoggerFactory(rootLogger) },
        {
          provide: MetricsService,
          inject: [AppConfig],
          useFactory: (config: AppConfig) => {
            const metrics = new MetricsService({ defaultMetrics: true });
            metrics
              .gauge({
                name: 'app_build_info',
                help: 'Build information',
                labelNames: ['version', 'commit'],
              })
              .set({ version: config.APP_VERSION, commit: process.env.GIT_COMMIT ?? 'unknown' }, 1);
            return metrics;
          },
        },
      ],
      exports: [ROOT_LOGGER, LoggerFactory, MetricsService],
    };
  }
}
