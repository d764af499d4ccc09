import { Option, SubCommand } from 'nest-commander';
import { KeyRotationService } from '../../../modules/auth';
import { CliCommand, parseOutput } from '../../cli-command';
import { CliIo } from '../../cli-io';
import { formatTable } from '../../table';

const OUTPUTS = ['json', 'text'] as const;

/** `keys list [--output json|text]`: every key with its status and validity (no private keys). */
@SubCommand({ name: 'list', description: 'List active, next and retired keys' })
export class KeysListCommand extends CliCommand<{ output?: string }> {
  constructor(
    io: CliIo,
    private readonly rotation: KeyRotationService,
  ) {
    super(io);
  }

  @Option({ flags: '-o, --output <format>', description: 'json (default) or text' })
  parseOutput(value: string): string {
    return parseOutput(value, OUTPUTS);
  }

  protected async execute(_params: string[], options: { output?: string }): Promise<void> {
    const keys = await this.rotation.list();
    if ((options.output ?? 'json') === 'json') {
      this.io.json({ storage_backend: this.rotation.backend, keys });
      return;
    }
    const flag = (value: boolean) => (value ? 'yes' : 'no');
    this.io.out(
      formatTable(
        ['KID', 'STATUS', 'CREATED', 'NOT AFTER', 'SIGNS', 'VERIFIES', 'PUBLISHED'],
        keys.map((key) => [
          key.kid,
          key.status,
          key.created_at,
          key.not_after ?? '-',
          flag(key.can_sign),
          flag(key.verifies),
          flag(key.published),
        ]),
      ),
    );
  }
}
