import type { Provider, Type } from '@nestjs/common';
import { AuthEmailController } from './controllers/auth-email.controller';
import { AuthPasswordsController } from './controllers/auth-passwords.controller';
import { AuthSessionsController } from './controllers/auth-sessions.controller';
import { AuthSignupController } from './controllers/auth-signup.controller';
import { EmailVerificationService } from './email/email-verification.service';
import { EmailVerificationTokens, PasswordResetTokens } from './email/token-stores';
import { AccountGate } from './login/account-gate.service';
import { LoginEventRepository } from './login/login-event.repository';
import { LoginThrottle } from './login/login-throttle.service';
import { LoginService } from './login/login.service';
import { PasswordChangeService } from './passwords/password-change.service';
import { PasswordCredentials } from './passwords/password-credentials.service';
import { PasswordHasher } from './passwords/password-hasher';
import { PasswordHistoryRepository } from './passwords/password-history.repository';
import { PasswordResetService } from './passwords/password-reset.service';
import { GeoLookup, NoopGeoLookup } from './sessions/geo-lookup';
import { RefreshTokenRepository } from './sessions/refresh-token.repository';
import { SessionIssuer } from './sessions/session-issuer.service';
import { SessionMetadataFactory } from './sessions/session-metadata.factory';
import { SessionRevocationService } from './sessions/session-revocation.service';
import { TokenRefreshService } from './sessions/token-refresh.service';
import { UserSessionsService } from './sessions/user-sessions.service';
import { SignupService } from './signup/signup.service';
import { MembershipRepository } from './users/membership.repository';
import { TenantAccountRepository } from './users/tenant-account.repository';
import { UserAccountService } from './users/user-account.service';
import { UserProfileRepository } from './users/user-profile.repository';
import { UserProvisioningService } from './users/user-provisioning.service';
import { UserRepository } from './users/user.repository';

/**
 * Identity (signup, login, sessions, passwords, email verification), registered by the auth
 * module as one block, like the service-account block, to keep concurrent module edits small.
 */
export const IDENTITY_PROVIDERS: Provider[] = [
  UserRepository,
  MembershipRepository,
  TenantAccountRepository,
  UserProfileRepository,
  PasswordHistoryRepository,
  LoginEventRepository,
  RefreshTokenRepository,
  { provide: GeoLookup, useClass: NoopGeoLookup },
  SessionMetadataFactory,
  SessionIssuer,
  SessionRevocationService,
  TokenRefreshService,
  UserSessionsService,
  PasswordHasher,
  PasswordCredentials,
  PasswordChangeService,
  PasswordResetService,
  PasswordResetTokens,
  EmailVerificationTokens,
  EmailVerificationService,
  LoginThrottle,
  AccountGate,
  LoginService,
  UserProvisioningService,
  UserAccountService,
  SignupService,
];

export const IDENTITY_CONTROLLERS: Type[] = [
  AuthSessionsController,
  AuthEmailController,
  AuthPasswordsController,
  AuthSignupController,
];

/** What the operator CLI needs (seed users, disable users, revoke sessions). */
export const IDENTITY_EXPORTS: Provider[] = [
  PasswordHasher,
  UserProvisioningService,
  UserAccountService,
  SessionRevocationService,
];
