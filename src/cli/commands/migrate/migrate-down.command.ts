import { InjectDataSource } from '@nestjs/typeorm';
import { Option, SubCommand } from 'nest-commander';
import type { DataSource } from 'typeorm';
import { AppConfig } from '../../../platform/config/app-config';
import { migrationStatus, revertLastMigration } from '../../../platform/database/migrator';
import { CliCommand } from '../../cli-command';
import { CliIo } from '../../cli-io';

/** `migrate down [--steps N]`: reverts the newest applied migration(s), one at a time. */
@SubCommand({ name: 'down', description: 'Revert the newest applied migration (--steps N)' })
export class MigrateDownCommand extends CliCommand<{ steps?: number }> {
  constructor(
    io: CliIo,
    private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {
    super(io);
  }

  @Option({ flags: '--steps <n>', description: 'How many migrations to revert (default 1)' })
  parseSteps(value: string): number {
    if (!/^[1-9]\d*$/.test(value.trim())) throw new Error('--steps must be a positive integer');
    return Number(value);
  }

  protected async execute(_params: string[], options: { steps?: number }): Promise<void> {
    const reverted: string[] = [];
    for (let step = 0; step < (options.steps ?? 1); step += 1) {
      const { applied } = await migrationStatus(this.dataSource);
      const newest = applied[applied.length - 1];
      if (!newest) break;
      await revertLastMigration(this.dataSource, { embedded: this.config.usesEmbeddedDatabase });
      reverted.push(newest);
    }
    this.io.json({ reverted });
  }
}
