import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthBootstrap } from './auth-bootstrap.service';
import { AuthSharedModule } from './auth-shared.module';
import { CatalogModule } from './catalog/catalog.module';
import { PasswordHistoryEntity } from './entities/password-history.entity';
import { RefreshTokenEntity } from './entities/refresh-token.entity';
import { TenantAccountEntity } from './entities/tenant-account.entity';
import { TenantMembershipEntity } from './entities/tenant-membership.entity';
import { UserLoginEventEntity } from './entities/user-login-event.entity';
import { UserProfileEntity } from './entities/user-profile.entity';
import { UserSessionEntity } from './entities/user-session.entity';
import { UserEntity } from './entities/user.entity';
import { GateModule } from './gate/gate.module';
import { GuardsModule } from './guards/guards.module';
import { IdentityModule } from './identity/identity.module';
import { KeysModule } from './keys/keys.module';
import { InvitationsModule } from './invitations/invitations.module';
import { MembersModule } from './members/members.module';
import { AuditModule } from './audit/audit.module';
import { ServiceAccountsModule } from './service-accounts/service-accounts.module';
import { SessionsModule } from './sessions/sessions.module';
import { TokensModule } from './tokens/tokens.module';
import { UsersModule } from './users/users.module';

/**
 * Auth, composed of sub-modules that each own their providers and routes and import only the
 * ones below them (docs/architecture.md):
 *
 *   Invitations -> Identity
 *   Identity, ServiceAccounts, Members -> Audit
 *     -> Guards -> Sessions -> Gate -> Users
 *     -> Tokens -> Keys -> Catalog
 *
 * This module registers the entities and the boot checks, and exports what other feature
 * modules and the CLI may use (listed in index.ts). It imports no feature module.
 */
const SUB_MODULES = [
  AuthSharedModule,
  CatalogModule,
  KeysModule,
  TokensModule,
  UsersModule,
  GateModule,
  SessionsModule,
  GuardsModule,
  IdentityModule,
  ServiceAccountsModule,
  AuditModule,
  MembersModule,
  InvitationsModule,
];

@Module({
  imports: [
    TypeOrmModule.forFeature([
      TenantAccountEntity,
      UserEntity,
      UserProfileEntity,
      TenantMembershipEntity,
      PasswordHistoryEntity,
      UserLoginEventEntity,
      UserSessionEntity,
      RefreshTokenEntity,
    ]),
    ...SUB_MODULES,
  ],
  providers: [AuthBootstrap],
  exports: [
    UsersModule,
    CatalogModule,
    KeysModule,
    TokensModule,
    SessionsModule,
    GuardsModule,
    IdentityModule,
    ServiceAccountsModule,
    AuditModule,
    MembersModule,
  ],
})
export class AuthModule {}
