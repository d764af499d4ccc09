import { InjectDataSource } from '@nestjs/typeorm';
import { Option, SubCommand } from 'nest-commander';
import type { DataSource } from 'typeorm';
import { AuditLog, KeyRotationService } from '../../../modules/auth';
import { CliCommand } from '../../cli-command';
import { CliIo } from '../../cli-io';

type RotationReport = Awaited<ReturnType<KeyRotationService['rotate']>>;

/**
 * `keys rotate [--kid KID]`: the published `next` key (or a fresh key named `--kid`) becomes
 * active, the old active key verifies until the longest token lifetime has passed, and a new
 * `next` is published. Prints `{kid, public_jwk, storage_backend, ...}` as JSON.
 */
@SubCommand({ name: 'rotate', description: 'Promote the next key (or a fresh --kid) to active' })
export class KeysRotateCommand extends CliCommand<{ kid?: string }> {
  constructor(
    io: CliIo,
    private readonly rotation: KeyRotationService,
    private readonly audit: AuditLog,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {
    super(io);
  }

  @Option({ flags: '--kid <kid>', description: 'Activate a fresh key with this kid' })
  parseKid(value: string): string {
    return value;
  }

  protected async execute(_params: string[], options: { kid?: string }): Promise<void> {
    const report = await this.rotation.rotate({ kid: options.kid });
    this.io.json(report);
    for (const warning of report.warnings) this.io.err(`warning: ${warning}`);
    await this.recordRotation(report);
  }

  /**
   * The audit record is written here rather than by KeyRotationService: keys sit below the audit
   * log in auth's module layering, so the key service cannot use it. The keyset lives in a file
   * or Vault KV, outside any database transaction, so the record gets its own transaction once
   * the new keyset is saved. A failed record does not fail the command: the key has rotated, and
   * running the command again would rotate a second time.
   */
  private async recordRotation(report: RotationReport): Promise<void> {
    try {
      await this.dataSource.transaction((manager) =>
        this.audit.record(manager, {
          actor: null,
          tenantId: null,
          action: 'signing_key.rotated',
          target: { type: 'signing_key', id: report.kid },
          details: {
            previous_kid: report.previous_kid,
            next_kid: report.next_kid,
            storage_backend: report.storage_backend,
          },
        }),
      );
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      this.io.err(`warning: the key rotated but its audit record was not written: ${detail}`);
    }
  }
}
