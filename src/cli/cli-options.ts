import type { CommanderOptionsType } from 'nest-commander';
import { isCommanderError } from './cli-command';
import type { CliIo } from './cli-io';

export const CLI_NAME = 'anything-agents';

/**
 * Runner options shared by the real entry point and the tests (CommandTestFactory): commander
 * writes through `io`, never exits the process, and whatever escapes a command is reported as
 * `error: <message>` with a non-zero exit code.
 */
export function cliRunnerOptions(io: CliIo): CommanderOptionsType {
  return {
    cliName: CLI_NAME,
    errorHandler: (error) => {
      throw error;
    },
    serviceErrorHandler: (error) => {
      if (isCommanderError(error)) {
        io.exitCode = Math.max(io.exitCode, error.exitCode);
        return;
      }
      io.fail(error);
    },
    outputConfiguration: {
      writeOut: (text) => io.out(text.replace(/\n$/, '')),
      writeErr: (text) => io.err(text.replace(/\n$/, '')),
    },
  };
}
