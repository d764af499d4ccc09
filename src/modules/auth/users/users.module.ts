import { Module } from '@nestjs/common';
import { MembershipRepository } from './membership.repository';
import { RefreshTokenRepository } from './refresh-token.repository';
import { TenantAccountRepository } from './tenant-account.repository';
import { UserProfileRepository } from './user-profile.repository';
import { UserRepository } from './user.repository';

/**
 * The identity tables' repositories (users, profiles, tenants, memberships, refresh tokens): a
 * leaf that sessions, service accounts and identity import.
 */
const REPOSITORIES = [
  UserRepository,
  UserProfileRepository,
  TenantAccountRepository,
  MembershipRepository,
  RefreshTokenRepository,
];

@Module({ providers: REPOSITORIES, exports: REPOSITORIES })
export class UsersModule {}
