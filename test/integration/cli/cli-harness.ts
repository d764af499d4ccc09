import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { CommandTestFactory } from 'nest-commander-testing';
import { CapturingCliIo } from '../../../src/cli/cli-io';
import { CliModule } from '../../../src/cli/cli.module';
import { cliRunnerOptions } from '../../../src/cli/cli-options';
import { cliConfig } from '../../../src/cli/run-cli';
import { loadConfig } from '../../../src/platform/config/load-config';
import { createLogger } from '../../../src/platform/observability/logger';
import { baseTestEnv } from '../../support/test-app';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
  /** Parsed log lines the command wrote (stderr in the real CLI). */
  logs: Record<string, unknown>[];
}

export type Env = Record<string, string | undefined>;

/** Test env for CLI runs: the run's Postgres and Redis, and a key file of the caller's choosing. */
export function cliEnv(keyDir: string, overrides: Env = {}): Env {
  return { ...baseTestEnv(keyDir), LOG_LEVEL: 'warn', ...overrides };
}

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * Runs one CLI command in-process through nest-commander's CommandTestFactory, with the same
 * module and runner options as the real entry point; returns the exit code and output.
 */
export async function runCommand(
  args: string[],
  env: Env,
  overrides: [token: unknown, value: unknown][] = [],
): Promise<CommandResult> {
  const io = new CapturingCliIo();
  const logs: Record<string, unknown>[] = [];
  const config = cliConfig(loadConfig(env, { readDotenvFiles: false }), args, env);
  const logger = createLogger({
    level: config.LOG_LEVEL,
    format: 'json',
    destination: new Writable({
      write(chunk: Buffer, _encoding, callback) {
        for (const line of chunk.toString('utf8').split('\n')) {
          if (line) logs.push(JSON.parse(line) as Record<string, unknown>);
        }
        callback();
      },
    }),
  });
  const builder = CommandTestFactory.createTestingCommand(
    { imports: [CliModule.forRoot(config, logger, io)] },
    cliRunnerOptions(io),
  );
  for (const [token, value] of overrides) builder.overrideProvider(token).useValue(value);
  const module = await builder.compile();
  try {
    await CommandTestFactory.run(module, args);
  } catch (error) {
    io.fail(error);
  }
  return { code: io.exitCode, stdout: io.output, stderr: io.errors, logs };
}
