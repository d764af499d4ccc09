import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../../platform/config/app-config';
import { RedisService } from '../../../platform/redis/redis.service';
import { OneTimeTokenStore } from './one-time-token.store';

/** Password-reset tokens: `auth:pwdreset:<id>`, PASSWORD_RESET_TOKEN_TTL_MINUTES (>= 1 min). */
@Injectable()
export class PasswordResetTokens extends OneTimeTokenStore {
  protected readonly prefix = 'auth:pwdreset';

  constructor(
    redis: RedisService,
    private readonly config: AppConfig,
  ) {
    super(redis);
  }

  protected pepper(): string {
    return this.config.AUTH_PASSWORD_RESET_TOKEN_PEPPER;
  }

  protected ttlSeconds(): number {
    return Math.max(60, this.config.PASSWORD_RESET_TOKEN_TTL_MINUTES * 60);
  }
}

/** Email-verification tokens: `auth:emailverify:<id>`, EMAIL_VERIFICATION_TOKEN_TTL_MINUTES. */
@Injectable()
export class EmailVerificationTokens extends OneTimeTokenStore {
  protected readonly prefix = 'auth:emailverify';

  constructor(
    redis: RedisService,
    private readonly config: AppConfig,
  ) {
    super(redis);
  }

  protected pepper(): string {
    return this.config.AUTH_EMAIL_VERIFICATION_TOKEN_PEPPER;
  }

  protected ttlSeconds(): number {
    return Math.max(60, this.config.EMAIL_VERIFICATION_TOKEN_TTL_MINUTES * 60);
  }
}

/**
 * Account-unlock tokens: `auth:unlock:<id>`, ACCOUNT_UNLOCK_TOKEN_TTL_MINUTES (>= 1 min). They share
 * the reset pepper: both prove control of the mailbox, and a separate secret would add nothing.
 */
@Injectable()
export class AccountUnlockTokens extends OneTimeTokenStore {
  protected readonly prefix = 'auth:unlock';

  constructor(
    redis: RedisService,
    private readonly config: AppConfig,
  ) {
    super(redis);
  }

  protected pepper(): string {
    return this.config.AUTH_PASSWORD_RESET_TOKEN_PEPPER;
  }

  protected ttlSeconds(): number {
    return Math.max(60, this.config.ACCOUNT_UNLOCK_TOKEN_TTL_MINUTES * 60);
  }
}
