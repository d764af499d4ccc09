import { SubCommand } from 'nest-commander';
import { KeyRotationService } from '../../../modules/auth';
import { CliCommand } from '../../cli-command';
import { CliIo } from '../../cli-io';

/**
 * `keys revoke <kid>`: emergency removal of a compromised retired (or next) key; tokens signed
 * by it stop verifying as soon as replicas reload the keyset.
 */
@SubCommand({
  name: 'revoke',
  arguments: '<kid>',
  description: 'Remove a compromised retired or next key now (tokens it signed stop working)',
})
export class KeysRevokeCommand extends CliCommand {
  constructor(
    io: CliIo,
    private readonly rotation: KeyRotationService,
  ) {
    super(io);
  }

  protected async execute([kid]: string[]): Promise<void> {
    this.io.json(await this.rotation.revoke(kid));
  }
}
