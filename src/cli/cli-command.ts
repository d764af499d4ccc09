import type { Command } from 'commander';
import { CommandRunner } from 'nest-commander';
import type { CliIo } from './cli-io';

/** Commander's own failure (bad option, help shown): it already printed its message. */
export function isCommanderError(error: unknown): error is Error & { exitCode: number } {
  return (
    error instanceof Error &&
    typeof (error as { exitCode?: unknown }).exitCode === 'number' &&
    typeof (error as { code?: unknown }).code === 'string' &&
    String((error as { code?: unknown }).code).startsWith('commander.')
  );
}

/**
 * Base of every command: failures become `error: <message>` on stderr and exit code 1 instead
 * of a stack trace; commander parse errors (missing option, bad choice) throw instead of calling
 * `process.exit`, so tests can run commands in-process.
 */
export abstract class CliCommand<
  TOptions extends object = Record<string, unknown>,
> extends CommandRunner {
  constructor(protected readonly io: CliIo) {
    super();
  }

  override setCommand(command: Command): this {
    command.exitOverride((error) => {
      throw error;
    });
    return super.setCommand(command);
  }

  async run(params: string[], options: Record<string, unknown> = {}): Promise<void> {
    try {
      await this.execute(params, options as TOptions);
    } catch (error) {
      if (isCommanderError(error)) {
        this.io.exitCode = Math.max(this.io.exitCode, error.exitCode);
        return;
      }
      this.io.fail(error);
    }
  }

  protected abstract execute(params: string[], options: TOptions): Promise<void>;
}

/** A command that only groups subcommands: without one, it prints its help. */
export abstract class CliGroupCommand extends CliCommand {
  protected async execute(params: string[]): Promise<void> {
    if (params.length > 0) {
      throw new Error(`unknown command '${params[0]}' (see '${this.command.name()} --help')`);
    }
    this.io.out(this.command.helpInformation());
  }
}

/** `--output` values a command accepts; anything else is an error naming the choices. */
export function parseOutput<T extends string>(value: string, choices: readonly T[]): T {
  const normalized = value.trim().toLowerCase();
  if (!(choices as readonly string[]).includes(normalized)) {
    throw new Error(`--output must be one of ${choices.join(', ')}`);
  }
  return normalized as T;
}
