import { Command } from 'nest-commander';
import { CliGroupCommand } from '../../cli-command';
import { CliIo } from '../../cli-io';
import { KeysListCommand } from './keys-list.command';
import { KeysPruneCommand } from './keys-prune.command';
import { KeysRevokeCommand } from './keys-revoke.command';
import { KeysRotateCommand } from './keys-rotate.command';

@Command({
  name: 'keys',
  description: 'Signing keys: rotate, list, prune, revoke (see docs/key-rotation.md)',
  subCommands: [KeysRotateCommand, KeysListCommand, KeysPruneCommand, KeysRevokeCommand],
})
export class KeysCommand extends CliGroupCommand {
  constructor(io: CliIo) {
    super(io);
  }
}
