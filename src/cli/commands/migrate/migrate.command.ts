import { Command } from 'nest-commander';
import { CliGroupCommand } from '../../cli-command';
import { CliIo } from '../../cli-io';
import { MigrateDownCommand } from './migrate-down.command';
import { MigrateStatusCommand } from './migrate-status.command';
import { MigrateUpCommand } from './migrate-up.command';

/**
 * `migrate up|down|status`: the schema as a one-shot job, under the same advisory lock the app uses
 * at boot. The CLI never auto-runs migrations before these.
 */
@Command({
  name: 'migrate',
  description: 'Database migrations: up, down, status',
  subCommands: [MigrateUpCommand, MigrateDownCommand, MigrateStatusCommand],
})
export class MigrateCommand extends CliGroupCommand {
  constructor(io: CliIo) {
    super(io);
  }
}
