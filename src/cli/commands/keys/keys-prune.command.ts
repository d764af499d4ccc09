import { SubCommand } from 'nest-commander';
import { KeyRotationService } from '../../../modules/auth';
import { CliCommand } from '../../cli-command';
import { CliIo } from '../../cli-io';

/** `keys prune`: removes retired keys whose verification window has ended. */
@SubCommand({ name: 'prune', description: 'Remove retired keys past their not_after' })
export class KeysPruneCommand extends CliCommand {
  constructor(
    io: CliIo,
    private readonly rotation: KeyRotationService,
  ) {
    super(io);
  }

  protected async execute(): Promise<void> {
    this.io.json(await this.rotation.prune());
  }
}
