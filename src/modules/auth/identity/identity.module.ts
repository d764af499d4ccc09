import { Module } from '@nestjs/common';
import { UserProvisioningService } from '../accounts/user-provisioning.service';
import { AuditModule } from '../audit/audit.module';
import { AuthSharedModule } from '../auth-shared.module';
import { AccountUnlockService } from '../email/account-unlock.service';
import { AuthEmailController } from '../email/auth-email.controller';
import { EmailVerificationService } from '../email/email-verification.service';
import {
  AccountUnlockTokens,
  EmailVerificationTokens,
  PasswordResetTokens,
} from '../email/token-stores';
import { GateModule } from '../gate/gate.module';
import { AuthSessionsController } from '../login/auth-sessions.controller';
import { LoginService } from '../login/login.service';
import { AuthPasswordsController } from '../passwords/auth-passwords.controller';
import { PasswordChangeService } from '../passwords/password-change.service';
import { PasswordCredentials } from '../passwords/password-credentials.service';
import { PasswordHasher } from '../passwords/password-hasher';
import { PasswordHistoryRepository } from '../passwords/password-history.repository';
import { PasswordResetService } from '../passwords/password-reset.service';
import { SessionsModule } from '../sessions/sessions.module';
import { AuthSignupController } from '../signup/auth-signup.controller';
import { SignupBillingRegistry } from '../signup/signup-billing.port';
import { SignupService } from '../signup/signup.service';
import { TokensModule } from '../tokens/tokens.module';
import { UsersModule } from '../users/users.module';
import { MeController } from './me.controller';

/**
 * Identity: accounts (provisioning), signup, password login, passwords (change,
 * reset, history), email verification and the lockout's unlock link, with their routes. Built on users, the sign-in gate,
 * sessions and tokens; nothing below imports it.
 */
@Module({
  imports: [AuthSharedModule, AuditModule, UsersModule, GateModule, SessionsModule, TokensModule],
  controllers: [
    AuthSessionsController,
    AuthEmailController,
    AuthPasswordsController,
    AuthSignupController,
    MeController,
  ],
  providers: [
    PasswordHistoryRepository,
    PasswordHasher,
    PasswordCredentials,
    PasswordChangeService,
    PasswordResetService,
    PasswordResetTokens,
    EmailVerificationTokens,
    EmailVerificationService,
    AccountUnlockTokens,
    AccountUnlockService,
    LoginService,
    UserProvisioningService,
    SignupBillingRegistry,
    SignupService,
  ],
  exports: [PasswordHasher, UserProvisioningService, SignupBillingRegistry, LoginService],
})
export class IdentityModule {}
