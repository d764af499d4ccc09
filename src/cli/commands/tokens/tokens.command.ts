import { Command } from 'nest-commander';
import { CliGroupCommand } from '../../cli-command';
import { CliIo } from '../../cli-io';
import { TokensIssueServiceAccountCommand } from './tokens-issue-service-account.command';

@Command({
  name: 'tokens',
  description: 'Service-account tokens',
  subCommands: [TokensIssueServiceAccountCommand],
})
export class TokensCommand extends CliGroupCommand {
  constructor(io: CliIo) {
    super(io);
  }
}
