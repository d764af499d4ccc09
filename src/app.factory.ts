import type { DynamicModule, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Logger } from 'pino';
import { AppModule } from './app.module';
import type { AppConfig } from './platform/config/app-config';
import { LifecycleService } from './platform/lifecycle/lifecycle.service';
import { MetricsService } from './platform/observability/metrics.service';
import { PinoNestLogger } from './platform/observability/pino-nest-logger';
import { LoggerFactory } from './platform/observability/logger.factory';
import { bodyParserErrorMiddleware } from './platform/http/middleware/body-parser-errors.middleware';
import { accessLogMiddleware } from './platform/http/middleware/access-log.middleware';
import { jsonContentTypeMiddleware } from './platform/http/middleware/content-type.middleware';
import { hostCheckMiddleware } from './platform/http/middleware/host-check.middleware';
import { requestContextMiddleware } from './platform/http/middleware/request-context.middleware';
import { trailingSlashMiddleware } from './platform/http/middleware/trailing-slash.middleware';
import { RouteTable } from './platform/http/route-table';
import { RawBodyRoutes } from './platform/http/raw-body-routes';
import { RouteTableHolder } from './platform/http/route-table.holder';
import { mountOpenApi } from './platform/openapi/openapi';

/** Headers browsers may read from our responses (spec platform 10.1 A15). */
const EXPOSED_HEADERS = [
  'X-Correlation-ID',
  'X-Request-ID',
  'X-Process-Time',
  'Retry-After',
  'X-Next-Cursor',
  'RateLimit-Limit',
  'RateLimit-Remaining',
  'RateLimit-Reset',
];

/**
 * Builds the fully wired, initialised (not yet listening) application. Shared by `main.ts`,
 * the test app factory and the benchmark, so all three run exactly the same stack.
 */
export interface CreateAppOptions {
  /** Additional modules mounted on the same stack (tests, benchmarks). */
  extraImports?: (Type | DynamicModule)[];
}

export async function createApp(
  config: AppConfig,
  logger: Logger,
  options: CreateAppOptions = {},
): Promise<NestExpressApplication> {
  const root = AppModule.forRoot(config, logger, options.extraImports);
  const app = await NestFactory.create<NestExpressApplication>(root, {
    rawBody: true,
    logger: new PinoNestLogger(logger.child({ logger: 'nest' })),
    abortOnError: false,
  });
  const express = app.getHttpAdapter().getInstance();
  express.disable('x-powered-by');
  // API responses are not cached by clients; hashing every JSON body for an ETag is wasted CPU.
  express.set('etag', false);
  // X-Forwarded-For is trusted only from the configured proxies (decision P5).
  app.set('trust proxy', config.TRUSTED_PROXIES.length > 0 ? config.TRUSTED_PROXIES : false);

  const routes = app.get(RouteTableHolder);
  app.use(requestContextMiddleware());
  app.use(accessLogMiddleware(app.get(LoggerFactory).get('http.access'), app.get(MetricsService)));
  app.enableCors({
    origin: config.ALLOWED_ORIGINS.includes('*') ? true : config.ALLOWED_ORIGINS,
    methods: config.ALLOWED_METHODS,
    allowedHeaders: config.ALLOWED_HEADERS.includes('*') ? undefined : config.ALLOWED_HEADERS,
    exposedHeaders: EXPOSED_HEADERS,
    credentials: true,
    maxAge: 600,
  });
  app.use(hostCheckMiddleware(config.ALLOWED_HOSTS));
  app.use(trailingSlashMiddleware(routes));
  app.use(jsonContentTypeMiddleware());
  app.useBodyParser('json', { limit: config.HTTP_BODY_LIMIT });
  app.use(bodyParserErrorMiddleware(app.get(RawBodyRoutes)));

  mountOpenApi(app, config);
  await app.init();

  routes.table = RouteTable.fromExpressStack(
    (express as unknown as { router: { stack: Parameters<typeof RouteTable.fromExpressStack>[0] } })
      .router.stack,
  );
  app.get(LifecycleService).markStarted();
  return app;
}
