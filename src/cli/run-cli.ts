import type { INestApplicationContext } from '@nestjs/common';
import { CommandFactory, CommandRunnerService } from 'nest-commander';
import pino from 'pino';
import type { AppConfig } from '../platform/config/app-config';
import { ConfigValidationError, loadConfig } from '../platform/config/load-config';
import type { EnvMap } from '../platform/config/env-source';
import { createLogger, resolveLogFormat } from '../platform/observability/logger';
import { PinoNestLogger } from '../platform/observability/pino-nest-logger';
import { CliIo } from './cli-io';
import { CliModule } from './cli.module';
import { CLI_NAME, cliRunnerOptions } from './cli-options';

export interface RunCliOptions {
  /** Environment to load the config from (default: process.env plus .env files). */
  env?: EnvMap;
  io?: CliIo;
}

/**
 * The settings the CLI runs with: the app's, except that migrations never run implicitly before
 * a `migrate` command (it manages them), and logs are quieter unless LOG_LEVEL is set.
 */
export function cliConfig(config: AppConfig, args: string[], env: EnvMap): AppConfig {
  if (args[0] === 'migrate') config.AUTO_RUN_MIGRATIONS = false;
  if (!Object.keys(env).some((key) => key.toUpperCase() === 'LOG_LEVEL')) config.LOG_LEVEL = 'warn';
  return config;
}

/**
 * Runs one CLI invocation in-process and returns its exit code: 0 on success, non-zero with
 * `error: <message>` on stderr otherwise. With no command it prints the help and exits 0.
 */
export async function runCli(args: string[], options: RunCliOptions = {}): Promise<number> {
  const io = options.io ?? new CliIo();
  const env = options.env ?? process.env;
  let config: AppConfig;
  try {
    config = cliConfig(loadConfig(env, { readDotenvFiles: options.env === undefined }), args, env);
  } catch (error) {
    io.fail(error instanceof ConfigValidationError ? error.message : error);
    return io.exitCode;
  }
  // Logs go to stderr: stdout carries the command's result (JSON, env lines, tables).
  const logger = createLogger({
    level: config.LOG_LEVEL,
    format: resolveLogFormat(config.LOG_FORMAT, {
      production: config.isProduction,
      tty: process.stderr.isTTY === true,
    }),
    name: CLI_NAME,
    destination: pino.destination({ fd: 2, sync: true }),
  });
  let app: INestApplicationContext | undefined;
  try {
    app = await CommandFactory.createWithoutRunning(CliModule.forRoot(config, logger, io), {
      ...cliRunnerOptions(io),
      logger: new PinoNestLogger(logger.child({ logger: 'nest' })),
      abortOnError: false,
    });
  } catch (error) {
    // Typically Postgres unreachable (after the platform's connection retries).
    io.fail(`startup failed: ${error instanceof Error ? error.message : String(error)}`);
    return io.exitCode;
  }
  try {
    const argv = args.length === 0 ? ['--help'] : args;
    await app.get(CommandRunnerService).run(['node', CLI_NAME, ...argv]);
  } catch (error) {
    io.fail(error);
  } finally {
    await app.close().catch((error: unknown) => io.fail(error));
  }
  return io.exitCode;
}
