import { Option, SubCommand } from 'nest-commander';
import { UserAccountService } from '../../../modules/auth';
import { CliCommand } from '../../cli-command';
import { CliIo } from '../../cli-io';

interface StatusOptions {
  email: string;
}

export interface UserStatusResult {
  user_id: string;
  email: string;
  status: string;
  sessions_revoked: number;
}

/**
 * `users disable|enable --email <e>`: the operator's account switch, for any user (a tenant owner
 * can only reach accounts that belong to their tenant alone). Both run the same account service
 * as the API (status, session revocation and audit in one transaction) and print a JSON result.
 */
abstract class UserStatusCommand extends CliCommand<StatusOptions> {
  constructor(
    io: CliIo,
    protected readonly accounts: UserAccountService,
  ) {
    super(io);
  }

  @Option({ flags: '--email <email>', description: 'User email', required: true })
  parseEmail(value: string): string {
    return value.trim().toLowerCase();
  }

  protected async execute(_params: string[], options: StatusOptions): Promise<void> {
    const email = options.email.trim().toLowerCase();
    const user = await this.accounts.findByEmail(email);
    if (!user) throw new Error(`no user with email '${email}'`);
    const result = await this.apply(user.id);
    const output: UserStatusResult = {
      user_id: result.userId,
      email: result.email,
      status: result.status,
      sessions_revoked: result.sessionsRevoked,
    };
    this.io.json(output);
  }

  protected abstract apply(
    userId: string,
  ): ReturnType<UserAccountService['disableUser'] | UserAccountService['enableUser']>;
}

@SubCommand({
  name: 'disable',
  description: 'Disable a user and revoke all of its sessions and refresh tokens',
})
export class UsersDisableCommand extends UserStatusCommand {
  constructor(io: CliIo, accounts: UserAccountService) {
    super(io, accounts);
  }

  protected apply(userId: string) {
    return this.accounts.disableUser(userId, { actor: null, via: 'cli' });
  }
}

@SubCommand({
  name: 'enable',
  description: 'Re-enable a disabled or locked user (clears its login lockout)',
})
export class UsersEnableCommand extends UserStatusCommand {
  constructor(io: CliIo, accounts: UserAccountService) {
    super(io, accounts);
  }

  protected apply(userId: string) {
    return this.accounts.enableUser(userId, { actor: null, via: 'cli' });
  }
}
