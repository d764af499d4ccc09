import type { DynamicModule, Type } from '@nestjs/common';
import type { Server } from 'node:http';
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
import { composeMiddleware } from './platform/http/middleware/compose';
import { jsonBodyMiddleware } from './platform/http/middleware/json-body.middleware';
import { corsMiddleware } from './platform/http/middleware/cors.middleware';
import { jsonContentTypeMiddleware } from './platform/http/middleware/content-type.middleware';
import { hostCheckMiddleware } from './platform/http/middleware/host-check.middleware';
import { requestContextMiddleware } from './platform/http/middleware/request-context.middleware';
import { trailingSlashMiddleware } from './platform/http/middleware/trailing-slash.middleware';
import { RouteTable } from './platform/http/route-table';
import { RawBodyRoutes } from './platform/http/raw-body-routes';
import { RouteTableHolder } from './platform/http/route-table.holder';
import { mountOpenApi } from './platform/openapi/openapi';

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
    // Only JSON is accepted (our parser below, with the limit and raw bytes); no urlencoded.
    bodyParser: false,
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
  // Request path, outermost first: context (ids, timing), access log + metrics, CORS (before the
  // host check, as in the reference), host check, trailing-slash redirect, JSON-only bodies.
  app.use(
    composeMiddleware([
      requestContextMiddleware(),
      accessLogMiddleware(app.get(LoggerFactory).get('http.access'), app.get(MetricsService)),
      corsMiddleware(config),
      hostCheckMiddleware(config.ALLOWED_HOSTS),
      trailingSlashMiddleware(routes),
      jsonContentTypeMiddleware(),
    ]),
  );
  app.use(jsonBodyMiddleware(config.HTTP_BODY_LIMIT));
  app.use(bodyParserErrorMiddleware(app.get(RawBodyRoutes)));

  mountOpenApi(app, config);
  await app.init();
  keepConnectionsAlive(app.getHttpServer(), config.HTTP_KEEPALIVE_TIMEOUT_SECONDS);

  routes.table = RouteTable.fromExpressStack(
    (express as unknown as { router: { stack: Parameters<typeof RouteTable.fromExpressStack>[0] } })
      .router.stack,
  );
  app.get(LifecycleService).markStarted();
  return app;
}

/**
 * Node closes an idle keep-alive socket after 5 s by default, sooner than the proxies in front
 * reuse theirs (60 s), so a request sent on a socket just as the server closes it fails with a
 * reset (a 502 at the proxy, ECONNRESET at a direct client). The server keeps them longer than
 * the proxy; the header timeout must exceed the keep-alive timeout.
 */
function keepConnectionsAlive(server: Server, seconds: number): void {
  server.keepAliveTimeout = seconds * 1000;
  // Node requires headersTimeout <= requestTimeout (300 s by default; 0 disables it).
  const requestLimit = server.requestTimeout > 0 ? server.requestTimeout : Infinity;
  server.headersTimeout = Math.min((seconds + 1) * 1000, requestLimit);
}
