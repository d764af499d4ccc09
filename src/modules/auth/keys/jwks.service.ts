import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { AppConfig } from '../../../platform/config/app-config';
import { AuthMetrics } from '../auth.metrics';
import { publicJwks } from './keyset';
import { KeysetService } from './keyset.service';
import type { PublicJwk } from './key-material';

export interface JwksResponse {
  body: { keys: PublicJwk[] };
  etag: string;
  lastModified: string;
  cacheControl: string;
}

/** What `GET /.well-known/jwks.json` answers: the caching headers, and the document unless 304. */
export type JwksReply =
  | { status: 200; headers: Record<string, string>; body: JwksResponse['body'] }
  | { status: 304; headers: Record<string, string> };

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
    private readonly metrics: AuthMetrics,
  ) {}

  /**
   * The HTTP answer, counted: `jwks_requests_total` for every answer (200 and 304),
   * `jwks_not_modified_total` for an exact If-None-Match (304, no body). Counting lives here and
   * not in `current()`, which `jwks print` also uses and which is not a request.
   */
  async reply(ifNoneMatch: string | undefined): Promise<JwksReply> {
    const current = await this.current();
    this.metrics.jwksRequests.inc();
    const headers = {
      'Cache-Control': current.cacheControl,
      ETag: current.etag,
      'Last-Modified': current.lastModified,
    };
    if (ifNoneMatch === current.etag) {
      this.metrics.jwksNotModified.inc();
      return { status: 304, headers };
    }
    return { status: 200, headers, body: current.body };
  }

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
