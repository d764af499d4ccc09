import { Option, SubCommand } from 'nest-commander';
import { KeyRotationService } from '../../../modules/auth';
import { CliCommand } from '../../cli-command';
import { CliIo } from '../../cli-io';

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
  }
}
