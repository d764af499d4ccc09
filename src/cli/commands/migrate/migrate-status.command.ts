import { InjectDataSource } from '@nestjs/typeorm';
import { SubCommand } from 'nest-commander';
import type { DataSource } from 'typeorm';
import { migrationStatus } from '../../../platform/database/migrator';
import { CliCommand } from '../../cli-command';
import { CliIo } from '../../cli-io';

/** `migrate status`: applied and pending migrations (`doctor` fails while any is pending). */
@SubCommand({ name: 'status', description: 'List applied and pending migrations' })
export class MigrateStatusCommand extends CliCommand {
  constructor(
    io: CliIo,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {
    super(io);
  }

  protected async execute(): Promise<void> {
    this.io.json(await migrationStatus(this.dataSource));
  }
}
