import { Command } from 'nest-commander';
import { CliGroupCommand } from '../../cli-command';
import { CliIo } from '../../cli-io';
import { JwksPrintCommand } from './jwks-print.command';

@Command({
  name: 'jwks',
  description: 'The published JSON Web Key Set',
  subCommands: [JwksPrintCommand],
})
export class JwksCommand extends CliGroupCommand {
  constructor(io: CliIo) {
    super(io);
  }
}
