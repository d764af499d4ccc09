import { Injectable } from '@nestjs/common';
import type { Counter, Gauge, Histogram } from 'prom-client';
import { MetricsService } from '../../platform/observability/metrics.service';

type SignLabels = 'result' | 'token_use';
type IssuanceLabels = 'account' | 'result' | 'reason' | 'reused';

/**
 * Every auth metric family, created at boot so the families are scrapeable before first use (the
 * reference contract test looks for them). Reference names/labels plus the ones its design docs
 * promised.
 */
@Injectable()
export class AuthMetrics {
  readonly jwksRequests: Counter;
  readonly jwksNotModified: Counter;
  readonly signings: Counter<SignLabels>;
  readonly signingDuration: Histogram<SignLabels>;
  readonly verifications: Counter<SignLabels>;
  readonly verificationDuration: Histogram<SignLabels>;
  readonly serviceAccountIssuance: Counter<IssuanceLabels>;
  readonly serviceAccountIssuanceLatency: Histogram<IssuanceLabels>;
  readonly nonceHits: Counter;
  readonly nonceMisses: Counter;
  readonly loginAttempts: Counter<'result'>;
  readonly lockouts: Counter<'reason'>;
  readonly refreshIssued: Counter<'result'>;
  readonly passwordResets: Counter<'flow'>;
  readonly loginLatency: Histogram;
  readonly passwordVerify: Histogram<'scheme'>;
  readonly jwtFailures: Counter<'reason'>;
  readonly jwtRevocations: Counter<'reason'>;
  readonly activeKeyAge: Gauge;
  readonly revocationCacheLatency: Histogram<'result'>;

  constructor(metrics: MetricsService) {
    this.jwksRequests = metrics.counter({
      name: 'jwks_requests_total',
      help: 'JWKS responses (200 and 304)',
    });
    this.jwksNotModified = metrics.counter({
      name: 'jwks_not_modified_total',
      help: 'JWKS 304 responses',
    });
    const sign = ['result', 'token_use'] as const;
    this.signings = metrics.counter({
      name: 'jwt_signings_total',
      help: 'JWT signing attempts',
      labelNames: sign,
    });
    this.signingDuration = metrics.histogram({
      name: 'jwt_signing_duration_seconds',
      help: 'JWT signing duration',
      labelNames: sign,
    });
    this.verifications = metrics.counter({
      name: 'jwt_verifications_total',
      help: 'JWT verification attempts',
      labelNames: sign,
    });
    this.verificationDuration = metrics.histogram({
      name: 'jwt_verification_duration_seconds',
      help: 'JWT verification duration',
      labelNames: sign,
    });
    const issuance = ['account', 'result', 'reason', 'reused'] as const;
    this.serviceAccountIssuance = metrics.counter({
      name: 'service_account_issuance_total',
      help: 'Service-account token issuance attempts',
      labelNames: issuance,
    });
    this.serviceAccountIssuanceLatency = metrics.histogram({
      name: 'service_account_issuance_latency_seconds',
      help: 'Service-account issuance latency',
      labelNames: issuance,
    });
    this.nonceHits = metrics.counter({
      name: 'nonce_cache_hits_total',
      help: 'Vault payload nonce replays rejected',
    });
    this.nonceMisses = metrics.counter({
      name: 'nonce_cache_misses_total',
      help: 'New Vault payload nonces accepted',
    });
    this.loginAttempts = metrics.counter({
      name: 'auth_login_attempts_total',
      help: 'Password login attempts by result',
      labelNames: ['result'],
    });
    this.lockouts = metrics.counter({
      name: 'auth_lockouts_total',
      help: 'Account and IP lockouts',
      labelNames: ['reason'],
    });
    this.refreshIssued = metrics.counter({
      name: 'auth_refresh_issued_total',
      help: 'Refresh outcomes (rotated, grace, reuse_detected, rejected)',
      labelNames: ['result'],
    });
    this.passwordResets = metrics.counter({
      name: 'auth_password_resets_total',
      help: 'Completed password changes and resets',
      labelNames: ['flow'],
    });
    this.loginLatency = metrics.histogram({
      name: 'auth_login_latency_seconds',
      help: 'Login request latency',
    });
    this.passwordVerify = metrics.histogram({
      name: 'auth_password_verify_seconds',
      help: 'Password hash verification time',
      labelNames: ['scheme'],
    });
    this.jwtFailures = metrics.counter({
      name: 'jwt_failures_total',
      help: 'Rejected bearer tokens by reason',
      labelNames: ['reason'],
    });
    this.jwtRevocations = metrics.counter({
      name: 'jwt_revocations_total',
      help: 'Sessions revoked (their access tokens stop working at once)',
      labelNames: ['reason'],
    });
    this.activeKeyAge = metrics.gauge({
      name: 'active_key_age_seconds',
      help: 'Age of the active signing key',
    });
    this.revocationCacheLatency = metrics.histogram({
      name: 'revocation_cache_latency_ms',
      help: 'Session-state lookup latency in milliseconds',
      labelNames: ['result'],
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100],
    });
  }
}
