import 'reflect-metadata';
import { createApp } from './app.factory';
import { ConfigValidationError, loadConfig } from './platform/config/load-config';
import { assertProductionSafe, ProductionSafetyError } from './platform/config/secret-guard';
import { logStartupReport } from './platform/config/startup-report';
import { installGracefulShutdown } from './platform/lifecycle/graceful-shutdown';
import { createLogger } from './platform/observability/logger';
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
    format: config.LOG_FORMAT as 'json' | 'pretty',
  });
  // The server owns an embedded data directory and serves it to the CLI (one writer only);
  // claimed before anything is logged, so a second server's only output is why it refused.
  if (config.usesEmbeddedDatabase) await claimEmbeddedDirectory(config.EMBEDDED_DATABASE_DIR);
  logStartupReport(config, logger);
  const app = await createApp(config, logger);
  await app.listen(config.PORT, config.HOST);
  installGracefulShutdown(app, logger, config.SHUTDOWN_GRACE_SECONDS);
  logger.info(
    { host: config.HOST, port: config.PORT },
    `Listening on http://${config.HOST}:${config.PORT}`,
  );
  const wire = config.usesEmbeddedDatabase
    ? await embeddedWireAddress(config.EMBEDDED_DATABASE_DIR)
    : undefined;
  if (wire) {
    logger.info(
      { embedded_postgres: wire },
      `Embedded Postgres served to the CLI and psql: psql -h ${wire.host} -p ${wire.port} -U postgres`,
    );
  }
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
