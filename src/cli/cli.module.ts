import { Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import { AuthModule } from '../modules/auth';
import type { AppConfig } from '../platform/config/app-config';
import { PlatformModule } from '../platform/platform.module';
import { CliIo } from './cli-io';
import { CLI_COMMANDS } from './commands';
import { StripeEventsCliModule } from './commands/stripe-events.module';

/**
 * The operator CLI (`npm run cli -- <command>`, or the `anything-agents` bin): the same config,
 * platform (Postgres, Redis, logging, readiness) and feature services as the API, without an
 * HTTP listener. Commands call the services the HTTP layer calls; no rule lives only here.
 *
 * Adding a command (e.g. `stripe-events list|replay`):
 * 1. Write `src/cli/commands/<area>/<name>.command.ts`: a class decorated with
 *    `@Command({ name })` (or `@SubCommand` under a group such as `StripeEventsCommand`, see
 *    `commands/keys/`), extending `CliCommand` (or `CliGroupCommand` for a group) and
 *    implementing `execute(params, options)`. Inject `CliIo` and write results with
 *    `io.out`/`io.json`; throw an `Error` to fail (`error: <message>`, exit code 1). Options are
 *    `@Option({ flags: '--limit <n>' })` methods that parse the raw string.
 * 2. Append the class(es) to `CLI_COMMANDS` in `src/cli/commands/index.ts`.
 * 3. If the command needs another feature module's services, add a module that exports them
 *    to `imports` below — one that starts no background worker (a one-shot command must not),
 *    like `StripeEventsCliModule` (webhook dispatch core without intake or retry worker).
 * 4. Test it in `test/integration/cli/` with `runCommand()` from `cli-harness.ts` there
 *    (CommandTestFactory with `cliRunnerOptions`), asserting the output and `io.exitCode`.
 */
@Module({})
export class CliModule {
  static forRoot(config: AppConfig, logger: Logger, io: CliIo): DynamicModule {
    return {
      module: CliModule,
      imports: [PlatformModule.forRoot(config, logger), AuthModule, StripeEventsCliModule],
      providers: [{ provide: CliIo, useValue: io }, ...CLI_COMMANDS],
    };
  }
}
