import { Option, SubCommand } from 'nest-commander';
import { CliCommand, parseOutput } from '../../cli-command';
import { CliIo } from '../../cli-io';
import { PasswordPrompt } from './password-prompt';
import { SEED_ROLES, UserSeedService, type SeedRole } from './user-seed.service';

const OUTPUTS = ['text', 'json'] as const;

interface SeedOptions {
  email: string;
  password?: string;
  tenantSlug?: string;
  tenantName?: string;
  role?: SeedRole;
  displayName?: string;
  verified?: boolean;
  locked?: boolean;
  output?: string;
}

/**
 * `users seed --email <e> [--password <p>] [--tenant-slug default] [--tenant-name "Default
 * Tenant"] [--role admin] [--display-name <n>] [--verified] [--locked] [--output text|json]`.
 * Prompts for the password (no echo) when it is needed, missing and a terminal is attached.
 */
@SubCommand({ name: 'seed', description: 'Create (or converge) a user with a tenant membership' })
export class UsersSeedCommand extends CliCommand<SeedOptions> {
  constructor(
    io: CliIo,
    private readonly seeds: UserSeedService,
    private readonly prompt: PasswordPrompt,
  ) {
    super(io);
  }

  @Option({ flags: '--email <email>', description: 'User email', required: true })
  parseEmail(value: string): string {
    return value.trim();
  }

  @Option({ flags: '--password <password>', description: 'Prompted for when omitted (TTY)' })
  parsePassword(value: string): string {
    return value;
  }

  @Option({ flags: '--tenant-slug <slug>', description: 'Tenant slug (default: default)' })
  parseTenantSlug(value: string): string {
    return value.trim();
  }

  @Option({ flags: '--tenant-name <name>', description: 'Name of a new tenant (Default Tenant)' })
  parseTenantName(value: string): string {
    return value.trim();
  }

  @Option({ flags: '--role <role>', description: 'owner, admin (default), member or viewer' })
  parseRole(value: string): SeedRole {
    const role = value.trim().toLowerCase();
    if (!(SEED_ROLES as readonly string[]).includes(role)) {
      throw new Error(`--role must be one of ${SEED_ROLES.join(', ')}`);
    }
    return role as SeedRole;
  }

  @Option({ flags: '--display-name <name>', description: 'Profile display name (new users)' })
  parseDisplayName(value: string): string {
    return value.trim();
  }

  @Option({ flags: '--verified', description: 'Mark the email as verified' })
  parseVerified(): boolean {
    return true;
  }

  @Option({ flags: '--locked', description: 'Create the user locked (status locked)' })
  parseLocked(): boolean {
    return true;
  }

  @Option({ flags: '-o, --output <format>', description: 'text (default) or json' })
  parseOutput(value: string): string {
    return parseOutput(value, OUTPUTS);
  }

  protected async execute(_params: string[], options: SeedOptions): Promise<void> {
    const result = await this.seeds.seed({
      email: options.email,
      password: () => this.password(options.password),
      tenantSlug: options.tenantSlug ?? 'default',
      tenantName: options.tenantName ?? 'Default Tenant',
      role: options.role ?? 'admin',
      verified: options.verified ?? false,
      locked: options.locked ?? false,
      displayName: options.displayName ?? null,
    });
    if (!result.created && options.password !== undefined) {
      this.io.err('warning: the user already exists; --password was ignored');
    }
    if (options.output === 'json') {
      this.io.json(result);
      return;
    }
    this.io.out(
      [
        `${result.created ? 'Created' : 'Updated'} user ${result.email} (${result.user_id})`,
        `Tenant: ${result.tenant_slug} (${result.tenant_id})${result.tenant_created ? ' [created]' : ''}`,
        `Role: ${result.role}`,
        `Status: ${result.status}`,
        `Email verified: ${result.email_verified ? 'yes' : 'no'}`,
      ].join('\n'),
    );
  }

  private async password(given: string | undefined): Promise<string> {
    if (given !== undefined) return given;
    if (!this.prompt.interactive) {
      throw new Error('--password is required when no terminal is attached');
    }
    return this.prompt.ask('Password: ');
  }
}
