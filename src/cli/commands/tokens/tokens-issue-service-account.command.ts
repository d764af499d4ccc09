import { Option, SubCommand } from 'nest-commander';
import { AppConfig } from '../../../platform/config/app-config';
import { CliCommand, parseOutput } from '../../cli-command';
import { CliIo } from '../../cli-io';
import {
  ServiceAccountIssueClient,
  type IssuedServiceAccountToken,
} from './service-account-issue.client';

const OUTPUTS = ['json', 'text', 'env'] as const;
type Output = (typeof OUTPUTS)[number];

interface IssueOptions {
  account: string;
  scopes: string[];
  tenant?: string;
  lifetime?: number;
  fingerprint?: string;
  force?: boolean;
  output?: Output;
  baseUrl?: string;
}

/**
 * `tokens issue-service-account`: asks the running API for a service-account refresh token, signed
 * through Vault Transit when Vault is configured, `dev-local` otherwise.
 */
@SubCommand({
  name: 'issue-service-account',
  description: 'Issue a service-account refresh token through the running API',
})
export class TokensIssueServiceAccountCommand extends CliCommand<IssueOptions> {
  constructor(
    io: CliIo,
    private readonly config: AppConfig,
    private readonly client: ServiceAccountIssueClient,
  ) {
    super(io);
  }

  @Option({ flags: '-a, --account <slug>', description: 'Catalog account', required: true })
  parseAccount(value: string): string {
    return value.trim();
  }

  @Option({ flags: '-s, --scopes <list>', description: 'Comma-separated scopes', required: true })
  parseScopes(value: string): string[] {
    const scopes = value
      .split(',')
      .map((scope) => scope.trim())
      .filter(Boolean);
    if (scopes.length === 0) throw new Error('--scopes needs at least one non-blank scope');
    return scopes;
  }

  @Option({ flags: '-t, --tenant <uuid>', description: 'Tenant id (accounts that need one)' })
  parseTenant(value: string): string {
    return value.trim();
  }

  @Option({ flags: '--lifetime <minutes>', description: 'Token lifetime in minutes' })
  parseLifetime(value: string): number {
    if (!/^\d+$/.test(value.trim()))
      throw new Error('--lifetime must be a whole number of minutes');
    return Number(value);
  }

  @Option({ flags: '--fingerprint <id>', description: 'Audit identifier stored with the token' })
  parseFingerprint(value: string): string {
    return value;
  }

  @Option({ flags: '--force', description: 'Mint a new token even if an active one exists' })
  parseForce(): boolean {
    return true;
  }

  @Option({ flags: '-o, --output <format>', description: 'json, text or env (AUTH_CLI_OUTPUT)' })
  parseOutput(value: string): Output {
    return parseOutput(value, OUTPUTS);
  }

  @Option({
    flags: '--base-url <url>',
    description: 'API base URL (default AUTH_CLI_BASE_URL, else http://127.0.0.1:PORT)',
  })
  parseBaseUrl(value: string): string {
    return value.trim();
  }

  protected async execute(_params: string[], options: IssueOptions): Promise<void> {
    const output = options.output ?? (this.config.AUTH_CLI_OUTPUT as Output);
    const token = await this.client.issue({
      account: options.account,
      scopes: options.scopes,
      tenantId: options.tenant ?? null,
      lifetimeMinutes: options.lifetime ?? null,
      fingerprint: options.fingerprint ?? null,
      force: options.force ?? false,
      baseUrl: options.baseUrl ?? this.config.cliBaseUrl,
    });
    this.io.out(render(token, output));
  }
}

function render(token: IssuedServiceAccountToken, output: Output): string {
  if (output === 'env') return `AUTH_REFRESH_TOKEN=${token.refresh_token}`;
  if (output === 'json') return JSON.stringify(token, null, 2);
  return [
    `Account: ${token.account}`,
    `Scopes: ${token.scopes.join(', ')}`,
    `Issued At: ${token.issued_at}`,
    `Expires At: ${token.expires_at}`,
    `Tenant ID: ${token.tenant_id ?? 'global'}`,
    `Token Use: ${token.token_use}`,
    `Key ID: ${token.kid}`,
    '',
    'Refresh Token:',
    token.refresh_token,
  ].join('\n');
}
