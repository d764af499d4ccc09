import 'reflect-metadata';
// First: tracing (when configured) must patch http, pg and ioredis before anything loads them.
import { tracing } from './platform/observability/tracing/register';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.factory';
import { ConfigValidationError, loadConfig } from './platform/config/load-config';
import { assertProductionSafe, ProductionSafetyError } from './platform/config/secret-guard';
import { logStartupReport, startupBanner } from './platform/config/startup-report';
import { installGracefulShutdown } from './platform/lifecycle/graceful-shutdown';
import { assertPortFree, isAddressInUse, PortInUseError } from './platform/lifecycle/port-check';
import { createLogger, resolveLogFormat } from './platform/observability/logger';
import {
  claimEmbeddedDirectory,
  EmbeddedDatabaseInUseError,
  embeddedWireAddress,
} from './platform/database/embedded-postgres';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
    assertProductionSafe(config);
  } catch (error) {
    if (error instanceof ConfigValidationError || error instanceof ProductionSafetyError) {
      process.stderr.write(`error: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger({
    level: config.LOG_LEVEL,
    format: resolveLogFormat(config.LOG_FORMAT, {
      production: config.isProduction,
      tty: process.stdout.isTTY === true,
    }),
  });
  // A busy port and an embedded data directory another server owns are checked before anything
  // is logged or opened, so a refused start prints one line saying why. The server owns an
  // embedded directory and serves it to the CLI (one writer only).
  await assertPortFree(config.HOST, config.PORT);
  if (config.usesEmbeddedDatabase) await claimEmbeddedDirectory(config.EMBEDDED_DATABASE_DIR);
  logStartupReport(config, logger);
  const app = await createApp(config, logger);
  try {
    await app.listen(config.PORT, config.HOST);
  } catch (error) {
    if (!isAddressInUse(error)) throw error;
    await app.close();
    throw new PortInUseError(config.HOST, config.PORT);
  }
  installGracefulShutdown(app, logger, config.SHUTDOWN_GRACE_SECONDS, tracing);
  const address: AddressInfo | string | null = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const wire = config.usesEmbeddedDatabase
    ? await embeddedWireAddress(config.EMBEDDED_DATABASE_DIR)
    : undefined;
  const banner = startupBanner(config, { host: config.HOST, port }, wire);
  logger.info(banner.fields, banner.message);
}

main().catch((error: unknown) => {
  if (error instanceof EmbeddedDatabaseInUseError || error instanceof PortInUseError) {
    process.stderr.write(`error: ${error.message}\n`);
    process.exit(1);
  }
  process.stderr.write(
    `error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
