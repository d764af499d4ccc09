import { Injectable, type OnModuleInit } from '@nestjs/common';
import * as argon2 from 'argon2';
import * as bcrypt from 'bcryptjs';
import { createHmac, randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { AppConfig } from '../../../platform/config/app-config';
import { LoggerFactory } from '../../../platform/observability/logger.factory';
import { MetricsService } from '../../../platform/observability/metrics.service';
import { AuthMetrics } from '../auth.metrics';

/** `users.password_pepper_version` of hashes written today: argon2id over HMAC-SHA256(pepper). */
export const CURRENT_PASSWORD_VERSION = 'v3';

/** A hash ready to store: `users.password_hash` and `users.password_pepper_version`. */
export interface StoredPassword {
  hash: string;
  version: string;
}

export interface PasswordCheck {
  valid: boolean;
  /** The hash is a legacy format or uses outdated argon2 parameters: rehash on login. */
  needsRehash: boolean;
}

/** bcrypt reads 72 bytes; `<pepper>:` takes len(pepper)+1 of them. */
const BCRYPT_INPUT_BYTES = 72;

/**
 * Password hashing (decision A1).
 *
 * - `v3` (written now): argon2id over base64(HMAC-SHA256(pepper, password)). The pre-hash has a
 *   fixed length, so every byte of any password counts and the pepper never eats the password.
 * - `v2` (reference): bcrypt over `<pepper>:<password>`, of which bcrypt reads 72 bytes;
 *   `v1` (reference legacy): bcrypt over the bare password. Both still verify, as the reference
 *   did (peppered first, then bare, whatever the version column says), and are upgraded to `v3`
 *   on the next successful login. When the pepper alone fills the 72 bytes, a peppered bcrypt
 *   hash no longer depends on the password at all: that check is refused instead of letting any
 *   password in (the reference's defect).
 */
@Injectable()
export class PasswordHasher implements OnModuleInit {
  private readonly log: Logger;
  private dummy?: Promise<string>;
  private warnedLongPepper = false;

  constructor(
    private readonly config: AppConfig,
    private readonly metrics: AuthMetrics,
    loggers: LoggerFactory,
  ) {
    this.log = loggers.get('auth.passwords');
  }

  /** Computes the dummy hash at boot, so the first unknown-email login costs no extra hash. */
  async onModuleInit(): Promise<void> {
    await this.dummyHash();
  }

  async hash(password: string): Promise<StoredPassword> {
    const hash = await argon2.hash(this.preHash(password), this.argonOptions());
    return { hash, version: CURRENT_PASSWORD_VERSION };
  }

  async verify(password: string, storedHash: string): Promise<PasswordCheck> {
    if (storedHash.startsWith('$argon2')) {
      const valid = await this.timed('argon2id', () => this.argonVerify(storedHash, password));
      return {
        valid,
        needsRehash: valid && argon2.needsRehash(storedHash, this.argonOptions()),
      };
    }
    if (/^\$2[aby]?\$/.test(storedHash)) {
      const valid = await this.timed('bcrypt', () => this.bcryptVerify(storedHash, password));
      return { valid, needsRehash: valid };
    }
    return { valid: false, needsRehash: false };
  }

  /**
   * Spends the same work as verifying a real account's password, against a hash no password
   * matches: unknown emails then cost what wrong passwords cost (decision A5).
   */
  async verifyDummy(password: string): Promise<void> {
    const dummy = await this.dummyHash();
    await this.timed('dummy', () => this.argonVerify(dummy, password));
  }

  private dummyHash(): Promise<string> {
    this.dummy ??= argon2.hash(randomBytes(32).toString('base64'), this.argonOptions());
    return this.dummy;
  }

  /** True when any of `storedHashes` (newest first) is a hash of `password` (history check). */
  async matchesAny(password: string, storedHashes: string[]): Promise<boolean> {
    for (const hash of storedHashes) {
      if ((await this.verify(password, hash)).valid) return true;
    }
    return false;
  }

  /** base64(HMAC-SHA256(pepper, utf8(password))): the argon2id input of `v3`. */
  preHash(password: string): string {
    return createHmac('sha256', this.config.AUTH_PASSWORD_PEPPER)
      .update(password, 'utf8')
      .digest('base64');
  }

  private async argonVerify(hash: string, password: string): Promise<boolean> {
    try {
      return await argon2.verify(hash, this.preHash(password));
    } catch {
      return false; // a malformed stored hash is a mismatch, not a 500
    }
  }

  private async bcryptVerify(hash: string, password: string): Promise<boolean> {
    try {
      // bcryptjs encodes the string as UTF-8 and, like passlib, uses its first 72 bytes.
      if (this.pepperedBcryptUsable() && (await bcrypt.compare(this.legacyInput(password), hash)))
        return true;
      return await bcrypt.compare(password, hash);
    } catch {
      return false;
    }
  }

  private legacyInput(password: string): string {
    return `${this.config.AUTH_PASSWORD_PEPPER}:${password}`;
  }

  /** False when `<pepper>:` alone is 72 bytes or more: such a hash proves nothing. */
  private pepperedBcryptUsable(): boolean {
    const prefixBytes = Buffer.byteLength(`${this.config.AUTH_PASSWORD_PEPPER}:`, 'utf8');
    if (prefixBytes < BCRYPT_INPUT_BYTES) return true;
    if (!this.warnedLongPepper) {
      this.warnedLongPepper = true;
      this.log.warn(
        'AUTH_PASSWORD_PEPPER is 71 bytes or longer: legacy peppered bcrypt hashes ignore the password, so they are refused (affected users must reset their password)',
      );
    }
    return false;
  }

  private argonOptions(): argon2.HashOptions & { raw?: false } {
    return {
      type: argon2.argon2id,
      memoryCost: this.config.AUTH_PASSWORD_ARGON2_MEMORY_KIB,
      timeCost: this.config.AUTH_PASSWORD_ARGON2_TIME_COST,
      parallelism: this.config.AUTH_PASSWORD_ARGON2_PARALLELISM,
    };
  }

  private async timed<T>(scheme: string, work: () => Promise<T>): Promise<T> {
    const startedAt = performance.now();
    try {
      return await work();
    } finally {
      this.metrics.passwordVerify.observe({ scheme }, MetricsService.secondsSince(startedAt));
    }
  }
}
