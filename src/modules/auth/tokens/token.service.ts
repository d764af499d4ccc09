import { Injectable } from '@nestjs/common';
import { decodeProtectedHeader, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import type { Logger } from 'pino';
import { AppConfig } from '../../../platform/config/app-config';
import { LoggerFactory, logEvent } from '../../../platform/observability/logger.factory';
import { MetricsService } from '../../../platform/observability/metrics.service';
import { AuthMetrics } from '../auth.metrics';
import { KeysetService } from '../keys/keyset.service';
import { TokenCache } from './token-cache';
import type { TokenClaims } from './token-claims';

export type { TokenClaims, TokenUse } from './token-claims';

export interface SignedToken {
  token: string;
  kid: string;
  issuedAt: Date;
  expiresAt: Date;
  claims: TokenClaims & { iat: number; exp: number; nbf: number; iss: string };
}

/** Why a token was rejected; mapped to HTTP errors by the caller (never shown raw to clients). */
export class TokenRejectedError extends Error {
  constructor(
    readonly reason:
      | 'malformed'
      | 'unsupported_alg'
      | 'unknown_kid'
      | 'invalid_signature'
      | 'expired'
      | 'not_yet_valid'
      | 'issued_in_future'
      | 'missing_claims'
      | 'invalid_issuer'
      | 'invalid_audience',
  ) {
    super(reason);
  }
}

export class SigningUnavailableError extends Error {
  constructor() {
    super('missing_active_key');
  }
}

export interface VerifyOptions {
  /** Access tokens must carry an accepted audience; refresh tokens carry none (reference). */
  requireAudience: boolean;
  /** Logout accepts an expired refresh token. */
  allowExpired?: boolean;
}

/**
 * EdDSA signing and verification with `jose` against the keyset (decision A3: `iss` verified on
 * every token, `aud` on access tokens). Verified access tokens are memoised until shortly before
 * expiry: verifying costs ~0.2 ms, while revocation is still checked on every request.
 */
@Injectable()
export class TokenService {
  private readonly log: Logger;
  private readonly cache = new TokenCache(10_000);

  constructor(
    private readonly config: AppConfig,
    private readonly keyset: KeysetService,
    private readonly metrics: AuthMetrics,
    loggers: LoggerFactory,
  ) {
    this.log = loggers.get('auth.observability');
    keyset.onChange(() => this.cache.clear());
  }

  async sign(claims: TokenClaims, lifetimeSeconds: number, now = new Date()): Promise<SignedToken> {
    const startedAt = performance.now();
    const tokenUse = String(claims.token_use ?? 'unknown').toLowerCase();
    const signer = await this.keyset.signer();
    if (!signer) {
      this.observeSign('failure', tokenUse, startedAt);
      logEvent(this.log, 'error', 'token_sign', {
        result: 'failure',
        reason: 'missing_active_key',
        token_use: tokenUse,
      });
      throw new SigningUnavailableError();
    }
    const iat = Math.floor(now.getTime() / 1000);
    const exp = iat + lifetimeSeconds;
    const full = { ...claims, iss: this.config.APP_NAME, iat, nbf: iat, exp };
    const token = await new SignJWT(full)
      .setProtectedHeader({ alg: 'EdDSA', kid: signer.material.kid, typ: 'JWT' })
      .sign(signer.key);
    this.observeSign('success', tokenUse, startedAt);
    return {
      token,
      kid: signer.material.kid,
      issuedAt: new Date(iat * 1000),
      expiresAt: new Date(exp * 1000),
      claims: full,
    };
  }

  /** Verifies signature, kid, issuer, time claims and (optionally) audience; returns the claims. */
  async verify(token: string, options: VerifyOptions): Promise<TokenClaims> {
    const cacheable = options.requireAudience && !options.allowExpired;
    if (cacheable) {
      const hit = this.cache.get(token);
      if (hit) return hit;
    }
    const startedAt = performance.now();
    try {
      const claims = await this.verifyUncached(token, options);
      this.observeVerify('success', String(claims.token_use ?? 'unknown').toLowerCase(), startedAt);
      if (cacheable && typeof claims.exp === 'number')
        this.cache.set(token, claims, claims.exp * 1000);
      return claims;
    } catch (error) {
      this.observeVerify('failure', 'unknown', startedAt);
      const reason = error instanceof TokenRejectedError ? error.reason : 'invalid_signature';
      this.metrics.jwtFailures.inc({ reason });
      logEvent(this.log, 'debug', 'token_verify', { result: 'failure', reason });
      throw error instanceof TokenRejectedError
        ? error
        : new TokenRejectedError('invalid_signature');
    }
  }

  private async verifyUncached(token: string, options: VerifyOptions): Promise<TokenClaims> {
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      throw new TokenRejectedError('malformed');
    }
    if (header.alg !== 'EdDSA') throw new TokenRejectedError('unsupported_alg');
    if (typeof header.kid !== 'string' || !header.kid) throw new TokenRejectedError('unknown_kid');
    const key = await this.keyset.verificationKey(header.kid);
    if (!key) throw new TokenRejectedError('unknown_kid');

    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, key, {
        algorithms: ['EdDSA'],
        issuer: this.config.APP_NAME,
        audience: options.requireAudience ? this.config.AUTH_AUDIENCE : undefined,
        requiredClaims: ['exp', 'iat'],
        // Logout accepts expired refresh tokens: an unbounded tolerance skips the time checks.
        clockTolerance: options.allowExpired ? Number.MAX_SAFE_INTEGER : 0,
      }));
    } catch (error) {
      throw new TokenRejectedError(this.reasonOf(error));
    }
    if (
      !options.allowExpired &&
      typeof payload.iat === 'number' &&
      payload.iat > Math.floor(Date.now() / 1000)
    ) {
      throw new TokenRejectedError('issued_in_future');
    }
    if (typeof payload.sub !== 'string' || typeof payload.jti !== 'string') {
      throw new TokenRejectedError('missing_claims');
    }
    return payload as TokenClaims;
  }

  private reasonOf(error: unknown): TokenRejectedError['reason'] {
    const code = (error as { code?: string }).code;
    const claim = (error as { claim?: string }).claim;
    if (code === 'ERR_JWT_EXPIRED') return 'expired';
    if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED') {
      if (claim === 'iss') return 'invalid_issuer';
      if (claim === 'aud') return 'invalid_audience';
      if (claim === 'nbf') return 'not_yet_valid';
      return 'missing_claims';
    }
    if (code === 'ERR_JWS_INVALID' || code === 'ERR_JWT_INVALID') return 'malformed';
    return 'invalid_signature';
  }

  private observeSign(result: string, tokenUse: string, startedAt: number): void {
    const labels = { result, token_use: tokenUse || 'unknown' };
    this.metrics.signings.inc(labels);
    this.metrics.signingDuration.observe(labels, MetricsService.secondsSince(startedAt));
  }

  private observeVerify(result: string, tokenUse: string, startedAt: number): void {
    const labels = { result, token_use: tokenUse || 'unknown' };
    this.metrics.verifications.inc(labels);
    this.metrics.verificationDuration.observe(labels, MetricsService.secondsSince(startedAt));
  }
}
