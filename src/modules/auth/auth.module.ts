import { Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../../platform/config/app-config';
import { AuthBootstrap } from './auth-bootstrap.service';
import { AuthMetrics } from './auth.metrics';
import { MeController } from './controllers/me.controller';
import { PasswordHistoryEntity } from './entities/password-history.entity';
import { RefreshTokenEntity } from './entities/refresh-token.entity';
import { TenantAccountEntity } from './entities/tenant-account.entity';
import { TenantMembershipEntity } from './entities/tenant-membership.entity';
import { UserLoginEventEntity } from './entities/user-login-event.entity';
import { UserProfileEntity } from './entities/user-profile.entity';
import { UserSessionEntity } from './entities/user-session.entity';
import { UserEntity } from './entities/user.entity';
import { BearerAuthGuard } from './guards/bearer-auth.guard';
import { BearerJwtStrategy } from './guards/bearer-jwt.strategy';
import { BearerVerifier } from './guards/bearer-verifier.service';
import { ScopesGuard } from './guards/scopes.guard';
import { TenantGuard } from './guards/tenant.guard';
import { IDENTITY_CONTROLLERS, IDENTITY_EXPORTS, IDENTITY_PROVIDERS } from './identity.providers';
import { JwksController } from './keys/jwks.controller';
import { JwksService } from './keys/jwks.service';
import { KeysetStorage } from './keys/keyset-storage';
import { createKeysetStorage } from './keys/keyset-storage.factory';
import { KeysetService } from './keys/keyset.service';
import {
  SERVICE_ACCOUNT_CONTROLLERS,
  SERVICE_ACCOUNT_EXPORTS,
  SERVICE_ACCOUNT_PROVIDERS,
} from './service-accounts/service-accounts.providers';
import { SessionStateService } from './sessions/session-state.service';
import { SignupBillingRegistry } from './signup/signup-billing.port';
import { UserSessionRepository } from './sessions/user-session.repository';
import { TokenService } from './tokens/token.service';

/**
 * Identity: keys and JWKS, tokens, sessions, guards (bearer, scopes, tenant) and, as they land,
 * signup, login, passwords, email verification and service accounts. Imports no feature module.
 */
@Module({
  imports: [
    PassportModule,
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
  ],
  controllers: [
    JwksController,
    MeController,
    ...SERVICE_ACCOUNT_CONTROLLERS,
    ...IDENTITY_CONTROLLERS,
  ],
  providers: [
    AuthMetrics,
    { provide: KeysetStorage, inject: [AppConfig], useFactory: createKeysetStorage },
    KeysetService,
    JwksService,
    TokenService,
    UserSessionRepository,
    SessionStateService,
    BearerVerifier,
    BearerJwtStrategy,
    BearerAuthGuard,
    ScopesGuard,
    TenantGuard,
    AuthBootstrap,
    SignupBillingRegistry,
    ...SERVICE_ACCOUNT_PROVIDERS,
    ...IDENTITY_PROVIDERS,
  ],
  exports: [
    ...SERVICE_ACCOUNT_EXPORTS,
    ...IDENTITY_EXPORTS,
    JwksService,
    TokenService,
    KeysetService,
    SessionStateService,
    SignupBillingRegistry,
    BearerAuthGuard,
    ScopesGuard,
    TenantGuard,
  ],
})
export class AuthModule {}
