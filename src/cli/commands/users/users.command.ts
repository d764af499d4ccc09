import { Command } from 'nest-commander';
import { CliGroupCommand } from '../../cli-command';
import { CliIo } from '../../cli-io';
import { UsersSeedCommand } from './users-seed.command';
import { UsersDisableCommand, UsersEnableCommand } from './users-status.command';

@Command({
  name: 'users',
  description: 'Human users',
  subCommands: [UsersSeedCommand, UsersDisableCommand, UsersEnableCommand],
})
export class UsersCommand extends CliGroupCommand {
  constructor(io: CliIo) {
    super(io);
  }
}
