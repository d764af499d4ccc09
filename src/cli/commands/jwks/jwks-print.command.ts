import { SubCommand } from 'nest-commander';
import { JwksService } from '../../../modules/auth';
import { CliCommand } from '../../cli-command';
import { CliIo } from '../../cli-io';

/** `jwks print`: the same document `GET /.well-known/jwks.json` serves. */
@SubCommand({ name: 'print', description: 'Print the JWKS document' })
export class JwksPrintCommand extends CliCommand {
  constructor(
    io: CliIo,
    private readonly jwks: JwksService,
  ) {
    super(io);
  }

  protected async execute(): Promise<void> {
    this.io.json((await this.jwks.current()).body);
  }
}
