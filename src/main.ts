import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.factory';
import { ConfigValidationError, loadConfig } from './platform/config/load-config';
import { assertProductionSafe, ProductionSafetyError } from './platform/config/secret-guard';
import { logStartupReport, startupBanner } from './platform/config/startup-report';
import { installGracefulShutdown } from './platform/lifecycle/graceful-shutdown';
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
  // The server owns an embedded data directory and serves it to the CLI (one writer only);
  // claimed before anything is logged, so a second server's only output is why it refused.
  if (config.usesEmbeddedDatabase) await claimEmbeddedDirectory(config.EMBEDDED_DATABASE_DIR);
  logStartupReport(config, logger);
  const app = await createApp(config, logger);
  await app.listen(config.PORT, config.HOST);
  installGracefulShutdown(app, logger, config.SHUTDOWN_GRACE_SECONDS);
  const address: AddressInfo | string | null = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const wire = config.usesEmbeddedDatabase
    ? await embeddedWireAddress(config.EMBEDDED_DATABASE_DIR)
    : undefined;
  const banner = startupBanner(config, { host: config.HOST, port }, wire);
  logger.info(banner.fields, banner.message);
}

main().catch((error: unknown) => {
  if (error instanceof EmbeddedDatabaseInUseError) {
    process.stderr.write(`error: ${error.message}\n`);
    process.exit(1);
  }
  process.stderr.write(
    `error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
