import { Command } from 'nest-commander';
import { CliGroupCommand } from '../../cli-command';
import { CliIo } from '../../cli-io';
import { SecretsGenerateCommand } from './secrets-generate.command';

@Command({
  name: 'secrets',
  description: "The service's own secrets (SECRET_KEY, peppers, salts)",
  subCommands: [SecretsGenerateCommand],
})
export class SecretsCommand extends CliGroupCommand {
  constructor(io: CliIo) {
    super(io);
  }
}
