import { Module } from '@nestjs/common';
import { MembershipRepository } from './membership.repository';
import { RefreshTokenRepository } from './refresh-token.repository';
import { SeatLimitRegistry } from './seat-limit.port';
import { TenantAccountRepository } from './tenant-account.repository';
import { UserProfileRepository } from './user-profile.repository';
import { UserRepository } from './user.repository';

/**
 * The identity tables' repositories (users, profiles, tenants, memberships, refresh tokens) and
 * the seat-limit port billing fills: a leaf that sessions, service accounts and identity import.
 */
const REPOSITORIES = [
  UserRepository,
  UserProfileRepository,
  TenantAccountRepository,
  MembershipRepository,
  RefreshTokenRepository,
];

@Module({
  providers: [...REPOSITORIES, SeatLimitRegistry],
  exports: [...REPOSITORIES, SeatLimitRegistry],
})
export class UsersModule {}
