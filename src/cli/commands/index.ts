import type { Provider } from '@nestjs/common';
import { DoctorChecks } from './doctor/doctor-checks.service';
import { DoctorCommand } from './doctor/doctor.command';
import { JwksPrintCommand } from './jwks/jwks-print.command';
import { JwksCommand } from './jwks/jwks.command';
import { KeysListCommand } from './keys/keys-list.command';
import { KeysPruneCommand } from './keys/keys-prune.command';
import { KeysRevokeCommand } from './keys/keys-revoke.command';
import { KeysRotateCommand } from './keys/keys-rotate.command';
import { KeysCommand } from './keys/keys.command';
import { MigrateDownCommand } from './migrate/migrate-down.command';
import { MigrateStatusCommand } from './migrate/migrate-status.command';
import { MigrateUpCommand } from './migrate/migrate-up.command';
import { MigrateCommand } from './migrate/migrate.command';
import { SecretsGenerateCommand } from './secrets/secrets-generate.command';
import { SecretsCommand } from './secrets/secrets.command';
import { STRIPE_EVENTS_COMMANDS } from './stripe-events.command';
import { ServiceAccountIssueClient } from './tokens/service-account-issue.client';
import { TokensIssueServiceAccountCommand } from './tokens/tokens-issue-service-account.command';
import { TokensCommand } from './tokens/tokens.command';
import { PasswordPrompt } from './users/password-prompt';
import { UserSeedService } from './users/user-seed.service';
import { UsersSeedCommand } from './users/users-seed.command';
import { UsersDisableCommand, UsersEnableCommand } from './users/users-status.command';
import { UsersCommand } from './users/users.command';

/**
 * Every command class (group commands and their subcommands are all providers) and the helpers
 * they inject. Append new commands here; see the comment on `CliModule`.
 */
export const CLI_COMMANDS: Provider[] = [
  KeysCommand,
  KeysRotateCommand,
  KeysListCommand,
  KeysPruneCommand,
  KeysRevokeCommand,
  JwksCommand,
  JwksPrintCommand,
  TokensCommand,
  TokensIssueServiceAccountCommand,
  ServiceAccountIssueClient,
  UsersCommand,
  UsersSeedCommand,
  UsersDisableCommand,
  UsersEnableCommand,
  UserSeedService,
  PasswordPrompt,
  MigrateCommand,
  MigrateUpCommand,
  MigrateDownCommand,
  MigrateStatusCommand,
  DoctorCommand,
  DoctorChecks,
  ...STRIPE_EVENTS_COMMANDS,
  SecretsCommand,
  SecretsGenerateCommand,
];
