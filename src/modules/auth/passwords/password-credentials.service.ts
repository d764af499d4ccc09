import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../../platform/config/app-config';
import type { Sql } from '../../../platform/database';
import { AuthFailures } from '../auth-failures';
import { PasswordResetTokens } from '../email/token-stores';
import { LoginThrottle } from '../gate/login-throttle.service';
import type { UserRecord } from '../users/user.repository';
import { UserRepository } from '../users/user.repository';
import { PasswordHasher } from './password-hasher';
import { PasswordHistoryRepository } from './password-history.repository';
import { PasswordPolicy } from '../password-policy';

/**
 * What every password write shares: the history-then-policy check, and setting a hash together with
 * its history row, trimming history, clearing the lockout and invalidating outstanding reset
 * tokens. Session revocation is the caller's (its reason differs).
 */
@Injectable()
export class PasswordCredentials {
  constructor(
    private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly hasher: PasswordHasher,
    private readonly users: UserRepository,
    private readonly history: PasswordHistoryRepository,
    private readonly throttle: LoginThrottle,
    private readonly resetTokens: PasswordResetTokens,
  ) {}

  /** 400 `Password was recently used.` (checked first), then 400 with the policy message. */
  async assertAcceptable(user: UserRecord, newPassword: string): Promise<void> {
    if (await this.recentlyUsed(user, newPassword)) throw AuthFailures.passwordReused();
    const violation = PasswordPolicy.violation(newPassword, [user.email]);
    if (violation) throw AuthFailures.passwordPolicy(violation);
  }

  /**
   * Stores a new password (change or reset); returns when hash, history and lockout are done.
   * `within` runs in the same transaction (the audit record, a revocation), so the password and
   * what the caller writes about it commit together.
   */
  async setPassword(
    userId: string,
    newPassword: string,
    within?: (tx: Sql) => Promise<void>,
  ): Promise<void> {
    const stored = await this.hasher.hash(newPassword);
    await this.dataSource.transaction(async (tx) => {
      await this.users.updatePassword(userId, stored.hash, stored.version, tx);
      await this.history.append(userId, stored.hash, stored.version, tx);
      await this.history.trim(userId, this.config.AUTH_PASSWORD_HISTORY_COUNT, tx);
      if (within) await within(tx);
    });
    await this.throttle.clearUser(userId);
    await this.resetTokens.invalidateUser(userId);
  }

  /** Login found a legacy (bcrypt) or outdated hash: rewrite it as `v3`, history appended, not trimmed. */
  async upgradeHash(userId: string, password: string): Promise<void> {
    const stored = await this.hasher.hash(password);
    await this.dataSource.transaction(async (tx) => {
      await this.users.updatePassword(userId, stored.hash, stored.version, tx);
      await this.history.append(userId, stored.hash, stored.version, tx);
    });
  }

  /** The candidate matches the current hash or one of the newest N history rows. */
  private async recentlyUsed(user: UserRecord, candidate: string): Promise<boolean> {
    const depth = this.config.AUTH_PASSWORD_HISTORY_COUNT;
    if (depth <= 0) return false;
    const hashes = await this.history.recentHashes(user.id, depth);
    if (!hashes.includes(user.passwordHash)) hashes.unshift(user.passwordHash);
    return this.hasher.matchesAny(candidate, hashes);
  }
}
