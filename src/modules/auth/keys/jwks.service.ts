import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { AppConfig } from '../../../platform/config/app-config';
import { publicJwks } from './keyset';
import { KeysetService } from './keyset.service';
import type { PublicJwk } from './key-material';

export interface JwksResponse {
  body: { keys: PublicJwk[] };
  etag: string;
  lastModified: string;
  cacheControl: string;
}

/** Sorted-key JSON, so the ETag depends on content, not on property order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a.localeCompare(b),
    );
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The JWKS document with its caching headers: strong ETag over the published keys (stable for an
 * unchanged keyset, different whenever keys change), Last-Modified of the newest key.
 */
@Injectable()
export class JwksService {
  constructor(
    private readonly config: AppConfig,
    private readonly keyset: KeysetService,
  ) {}

  async current(): Promise<JwksResponse> {
    const keys = await this.keyset.published();
    const parts = [
      '1',
      ...keys.flatMap((key) => [key.kid, canonicalJson(key.public_jwk), key.created_at]),
    ];
    const fingerprint =
      keys.length > 0 ? createHash('sha256').update(parts.join('|')).digest('hex') : 'empty';
    const etag = `"${createHash('sha256').update(`${this.config.AUTH_JWKS_ETAG_SALT}:${fingerprint}`).digest('hex')}"`;
    const newest = keys.reduce((max, key) => Math.max(max, Date.parse(key.created_at) || 0), 0);
    return {
      body: publicJwks(keys),
      etag,
      lastModified: new Date(newest || Date.now()).toUTCString(),
      cacheControl: `public, max-age=${this.config.jwksMaxAgeSeconds}`,
    };
  }
}
