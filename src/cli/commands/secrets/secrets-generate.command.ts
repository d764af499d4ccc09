import { Option, SubCommand } from 'nest-commander';
import { CliCommand, parseOutput } from '../../cli-command';
import { CliIo } from '../../cli-io';
import { generateProductionSecrets } from './production-secrets';

const OUTPUTS = ['env', 'json'] as const;
type Output = (typeof OUTPUTS)[number];

interface GenerateOptions {
  output?: Output;
}

/**
 * `secrets generate`: prints a fresh set of the service's own secrets as env lines (append them
 * to a production `.env` or a secret store), or as JSON. Nothing is stored or read.
 */
@SubCommand({
  name: 'generate',
  description: 'Print fresh values of the service secrets as env lines',
})
export class SecretsGenerateCommand extends CliCommand<GenerateOptions> {
  constructor(io: CliIo) {
    super(io);
  }

  @Option({ flags: '-o, --output <format>', description: 'env (default) or json' })
  parseOutput(value: string): Output {
    return parseOutput(value, OUTPUTS);
  }

  protected async execute(_params: string[], options: GenerateOptions): Promise<void> {
    const secrets = generateProductionSecrets();
    if (options.output === 'json') {
      this.io.json(secrets);
      return;
    }
    this.io.out(
      [
        '# Fresh secrets for a new deployment. Changing a pepper or salt of a running deployment',
        '# invalidates what was hashed with it (passwords, refresh and email tokens, session IPs).',
        ...Object.entries(secrets).map(([name, value]) => `${name}=${value}`),
      ].join('\n'),
    );
  }
}
