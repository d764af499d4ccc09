import { Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppConfig } from '../../../platform/config/app-config';
import { LoggerFactory, logEvent } from '../../../platform/observability/logger.factory';
import { ServiceAccountCatalog } from '../catalog/service-account-catalog.service';
import { generateKeyMaterial, type KeyMaterial, type PublicJwk } from './key-material';
import {
  allKids,
  isVerifiable,
  keysWithStatus,
  KID_PATTERN,
  prune,
  publishedKeys,
  rotate,
  type KeyStatus,
} from './keyset';
import { KeysetService } from './keyset.service';

/** Operator input the rotation refuses (bad or duplicate kid); printed as `error: <message>`. */
export class KeyRotationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyRotationError';
  }
}

export interface RotationReport {
  /** The key that signs from now on (reference output fields first). */
  kid: string;
  public_jwk: PublicJwk;
  storage_backend: 'file' | 'secret-manager';
  previous_kid: string | null;
  /** When the previous key stops verifying (it is then removed by `keys prune`). */
  previous_verifies_until: string | null;
  next_kid: string | null;
  pruned: string[];
  warnings: string[];
}

export interface KeyListing {
  kid: string;
  status: KeyStatus;
  created_at: string;
  not_before: string;
  not_after: string | null;
  retired_at: string | null;
  can_sign: boolean;
  verifies: boolean;
  published: boolean;
}

/**
 * Key lifecycle operations behind `keys rotate|list|prune` (decision A4). A retired key keeps
 * verifying for the longest token lifetime, plus the keyset cache (replicas that have not reloaded
 * still sign with it) and a minute of clock skew, so rotation logs no one out.
 */
@Injectable()
export class KeyRotationService {
  private readonly log: Logger;

  constructor(
    private readonly config: AppConfig,
    private readonly keyset: KeysetService,
    private readonly catalog: ServiceAccountCatalog,
    loggers: LoggerFactory,
  ) {
    this.log = loggers.get('auth.keys');
  }

  get backend(): 'file' | 'secret-manager' {
    return this.keyset.backend;
  }

  /** Seconds a retired key must keep verifying. */
  overlapSeconds(): number {
    const longestMinutes = Math.max(
      this.config.AUTH_REFRESH_TOKEN_TTL_MINUTES,
      this.config.ACCESS_TOKEN_EXPIRE_MINUTES,
      this.config.AUTH_SERVICE_ACCOUNT_ACCESS_TOKEN_TTL_MINUTES,
      this.catalog.maxTtlMinutes(),
    );
    return longestMinutes * 60 + this.config.AUTH_KEYSET_CACHE_SECONDS + 60;
  }

  async rotate(options: { kid?: string; now?: Date } = {}): Promise<RotationReport> {
    const now = options.now ?? new Date();
    const doc = await this.keyset.reload();
    if (options.kid !== undefined) this.assertUsableKid(options.kid, allKids(doc));
    const fresh = await generateKeyMaterial(options.kid, now);
    const upcoming = await generateKeyMaterial(undefined, now);
    const overlap = this.overlapSeconds();
    const result = rotate(doc, fresh, upcoming, overlap, now, {
      preferNext: options.kid === undefined,
    });
    await this.keyset.save(result.doc);
    const report: RotationReport = {
      kid: result.activated.kid,
      public_jwk: result.activated.public_jwk,
      storage_backend: this.keyset.backend,
      previous_kid: result.retired?.kid ?? null,
      previous_verifies_until: result.retired?.not_after ?? null,
      next_kid: result.doc.next?.kid ?? null,
      pruned: result.pruned,
      warnings: this.warnings(result.activated, now, options.kid !== undefined),
    };
    logEvent(this.log, 'info', 'auth.key_rotation', {
      kid: report.kid,
      previous_kid: report.previous_kid,
      next_kid: report.next_kid,
      storage_backend: report.storage_backend,
      overlap_seconds: overlap,
      pruned: report.pruned,
    });
    return report;
  }

  /** Removes retired keys past their `not_after`; returns the removed kids. */
  async prune(options: { now?: Date } = {}): Promise<{ removed: string[]; remaining: string[] }> {
    const now = options.now ?? new Date();
    const doc = await this.keyset.reload();
    const result = prune(doc, now);
    if (result.removed.length > 0) {
      await this.keyset.save(result.doc);
      logEvent(this.log, 'info', 'auth.key_prune', { removed: result.removed });
    }
    return { removed: result.removed, remaining: allKids(result.doc) };
  }

  /**
   * Emergency removal of a compromised key (see docs/key-rotation.md): a retired key stops
   * verifying now; a compromised `next` is replaced by a fresh one. The active key must be
   * rotated away first, so signing never stops.
   */
  async revoke(kid: string): Promise<{ revoked: string; replaced_next: string | null }> {
    const doc = await this.keyset.reload();
    if (doc.active?.kid === kid) {
      throw new KeyRotationError(`'${kid}' is the active key: run 'keys rotate' first`);
    }
    let replacedNext: string | null = null;
    let next = doc.next;
    if (doc.next?.kid === kid) {
      next = await generateKeyMaterial();
      replacedNext = next.kid;
    } else if (!(doc.retired ?? []).some((key) => key.kid === kid)) {
      throw new KeyRotationError(`no key '${kid}' in the keyset`);
    }
    const retired = (doc.retired ?? []).filter((key) => key.kid !== kid);
    await this.keyset.save({ ...doc, next, retired });
    logEvent(this.log, 'warn', 'auth.key_revoke', { kid, replaced_next: replacedNext });
    return { revoked: kid, replaced_next: replacedNext };
  }

  async list(now = new Date()): Promise<KeyListing[]> {
    const doc = await this.keyset.reload();
    const published = new Set(publishedKeys(doc, now).map((key) => key.kid));
    return keysWithStatus(doc).map(({ status, key }) => ({
      kid: key.kid,
      status,
      created_at: key.created_at,
      not_before: key.not_before,
      not_after: key.not_after,
      retired_at: key.retired_at ?? null,
      can_sign: status === 'active' && Boolean(key.private_key) && isVerifiable(key, now),
      verifies: status !== 'next' && isVerifiable(key, now),
      published: published.has(key.kid),
    }));
  }

  private assertUsableKid(kid: string, existing: string[]): void {
    if (!KID_PATTERN.test(kid)) {
      throw new KeyRotationError('--kid must be 1-64 characters of letters, digits, . _ : -');
    }
    if (existing.includes(kid)) throw new KeyRotationError(`kid '${kid}' already exists`);
  }

  /**
   * Downstream verifiers cache the JWKS for its max-age; a key that starts signing before they
   * could have seen it costs them a refetch (or a rejection, if they do not refetch).
   */
  private warnings(activated: KeyMaterial, now: Date, fresh: boolean): string[] {
    const maxAge = this.config.jwksMaxAgeSeconds;
    const publishedFor = (now.getTime() - Date.parse(activated.created_at)) / 1000;
    if (!fresh && publishedFor >= maxAge) return [];
    return [
      `the new active key was published for ${Math.max(0, Math.floor(publishedFor))}s, less than ` +
        `the JWKS max-age (${maxAge}s); verifiers with a cached JWKS must refetch it`,
    ];
  }
}
