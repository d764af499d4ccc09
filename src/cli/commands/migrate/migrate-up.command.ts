import { InjectDataSource } from '@nestjs/typeorm';
import { SubCommand } from 'nest-commander';
import type { DataSource } from 'typeorm';
import { AppConfig } from '../../../platform/config/app-config';
import { runPendingMigrations } from '../../../platform/database/migrator';
import { CliCommand } from '../../cli-command';
import { CliIo } from '../../cli-io';

@SubCommand({ name: 'up', description: 'Apply every pending migration' })
export class MigrateUpCommand extends CliCommand {
  constructor(
    io: CliIo,
    private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {
    super(io);
  }

  protected async execute(): Promise<void> {
    const applied = await runPendingMigrations(this.dataSource, {
      embedded: this.config.usesEmbeddedDatabase,
    });
    this.io.json({ applied });
  }
}
