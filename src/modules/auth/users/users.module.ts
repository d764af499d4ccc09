import { Module } from '@nestjs/common';
import { MembershipRepository } from './membership.repository';
import { TenantAccountRepository } from './tenant-account.repository';
import { UserProfileRepository } from './user-profile.repository';
import { UserRepository } from './user.repository';

/** The identity tables' repositories (users, profiles, tenants, memberships): a leaf. */
const REPOSITORIES = [
  UserRepository,
  UserProfileRepository,
  TenantAccountRepository,
  MembershipRepository,
];

@Module({ providers: REPOSITORIES, exports: REPOSITORIES })
export class UsersModule {}
