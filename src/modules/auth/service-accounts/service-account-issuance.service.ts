import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { AppConfig } from '../../../platform/config/app-config';
import { LoggerFactory, logEvent } from '../../../platform/observability/logger.factory';
import { MetricsService } from '../../../platform/observability/metrics.service';
import { isoOffset } from '../../../platform/time/iso';
import { AuditLog } from '../audit/audit-log.service';
import { AuthErrorCode, AuthException } from '../auth.errors';
import { AuthMetrics } from '../auth.metrics';
import type { RefreshTokenEntity } from '../entities/refresh-token.entity';
import { SigningUnavailableError, TokenService } from '../tokens/token.service';
import type { ServiceAccountTokenResponse } from './dto/service-account-token-response.dto';
import { IssuanceCallerAuthenticator } from './issuance-caller.authenticator';
import { IssuanceRateLimiter } from './issuance-rate-limiter';
import { hashRefreshToken, refreshTokenHashMatches } from '../tokens/refresh-token-hash';
import type { ServiceAccountDefinition } from '../catalog/service-account-catalog';
import { ServiceAccountCatalog } from '../catalog/service-account-catalog.service';
import { serviceAccountRefreshClaims } from './service-account-claims';
import { RefreshTokenRepository, type TokenTuple } from '../users/refresh-token.repository';
import {
  ServiceAccountErrorCode as Code,
  ServiceAccountException,
} from './service-accounts.errors';
import type { IssuanceRequest } from './vault-payload';

export interface IssuanceOutcome {
  response: ServiceAccountTokenResponse;
  reused: boolean;
}

type Reason = 'success_issued' | 'success_reused' | 'signer_error' | 'service_error';

/**
 * Service-account issuance after the caller is authenticated: catalog, shared rate limits,
 * tenant/scope/lifetime rules, reuse of the active token of the same (account, tenant, scopes),
 * otherwise a new token that replaces it. No plaintext token is stored anywhere: reuse re-signs the
 * stored claims, which yields the identical token while its signing key is still the active one;
 * after a key rotation a new token replaces the old one.
 */
@Injectable()
export class ServiceAccountIssuanceService {
  private readonly log: Logger;

  constructor(
    private readonly config: AppConfig,
    private readonly catalog: ServiceAccountCatalog,
    private readonly callers: IssuanceCallerAuthenticator,
    private readonly limiter: IssuanceRateLimiter,
    private readonly tokens: TokenService,
    private readonly rows: RefreshTokenRepository,
    private readonly metrics: AuthMetrics,
    private readonly audit: AuditLog,
    loggers: LoggerFactory,
  ) {
    this.log = loggers.get('auth.observability');
  }

  /**
   * `POST /service-accounts/issue`: authenticates the caller (Vault signature or dev-local),
   * then issues or reuses; every attempt is counted and logged, failures as `service_error`
   * (or `signer_error` when no key can sign).
   */
  async issue(input: {
    authorization: string | undefined;
    vaultPayload: string | undefined;
    request: IssuanceRequest;
  }): Promise<IssuanceOutcome> {
    const startedAt = performance.now();
    let request = input.request;
    let signer: string | null = null;
    try {
      const caller = await this.callers.authenticate(
        input.authorization,
        input.vaultPayload,
        input.request,
      );
      ({ request, signer } = caller);
      const definition = this.catalog.find(request.account);
      if (!definition) {
        throw ServiceAccountException.badRequest(
          `Service account '${request.account}' is not defined.`,
          Code.UnknownAccount,
        );
      }
      await this.limiter.hit(definition.account);
      const outcome = await this.issueFor(definition, request, signer);
      const reason = outcome.reused ? 'success_reused' : 'success_issued';
      this.record(request, reason, startedAt, signer, null);
      return outcome;
    } catch (error) {
      const signing = error instanceof SigningUnavailableError;
      const detail = error instanceof Error ? error.message : 'unexpected error';
      this.record(request, signing ? 'signer_error' : 'service_error', startedAt, signer, detail);
      if (signing) {
        throw new AuthException(
          500,
          'Token signing is unavailable.',
          AuthErrorCode.SigningUnavailable,
        );
      }
      throw error;
    }
  }

  private async issueFor(
    definition: ServiceAccountDefinition,
    request: IssuanceRequest,
    signer: string | null,
  ): Promise<IssuanceOutcome> {
    const tenantId = this.tenantFor(definition, request.tenantId);
    const scopes = this.scopesFor(definition, request.scopes);
    const lifetimeMinutes = this.lifetimeFor(definition, request.lifetimeMinutes);
    const tuple: TokenTuple = { account: definition.account, tenantId, scopeKey: scopes.join(' ') };
    return this.rows.withTupleLock(tuple, async (manager) => {
      const now = new Date();
      if (!request.force) {
        const existing = await this.rows.findActiveServiceAccountToken(tuple, now, manager);
        const token = existing ? await this.resign(existing) : null;
        if (existing && token) return { reused: true, response: this.response(existing, token) };
      }
      const signed = await this.tokens.sign(
        serviceAccountRefreshClaims({
          account: definition.account,
          jti: randomUUID(),
          scopes,
          tenantId,
          fingerprint: request.fingerprint,
        }),
        lifetimeMinutes * 60,
        now,
      );
      const row = await this.rows.replaceServiceAccountToken(
        tuple,
        {
          account: definition.account,
          tenantId,
          scopeKey: tuple.scopeKey,
          scopes,
          refreshTokenHash: hashRefreshToken(this.config.AUTH_REFRESH_TOKEN_PEPPER, signed.token),
          refreshJti: String(signed.claims.jti),
          signingKid: signed.kid,
          fingerprint: request.fingerprint,
          issuedAt: signed.issuedAt,
          expiresAt: signed.expiresAt,
        },
        manager,
        now,
      );
      // Only a newly minted token is an issuance; a reused one was recorded when it was minted.
      // The caller is Vault-authenticated (or dev-local), not a principal: no actor, the Vault
      // identity goes in the details. Same transaction as the token row.
      await this.audit.record(manager, {
        actor: null,
        tenantId,
        action: 'service_account.token_issued',
        target: { type: 'service_account', id: definition.account },
        details: {
          scopes,
          token_id: row.refreshJti,
          tenant_id: tenantId,
          kid: row.signingKid,
          expires_at: row.expiresAt.toISOString(),
          signer,
          forced: request.force,
        },
      });
      return { reused: false, response: this.response(row, signed.token) };
    });
  }

  /**
   * The stored token again: same claims, times and key give the same Ed25519 signature. Null
   * when that is impossible (the key rotated, or the row predates this format); the caller then
   * mints a replacement.
   */
  private async resign(row: RefreshTokenEntity): Promise<string | null> {
    const iat = Math.floor(row.issuedAt.getTime() / 1000);
    const exp = Math.floor(row.expiresAt.getTime() / 1000);
    try {
      const signed = await this.tokens.sign(
        serviceAccountRefreshClaims({
          account: row.account,
          jti: row.refreshJti,
          scopes: row.scopes,
          tenantId: row.tenantId,
          fingerprint: row.fingerprint,
        }),
        exp - iat,
        new Date(iat * 1000),
      );
      if (signed.kid !== row.signingKid) return null;
      const pepper = this.config.AUTH_REFRESH_TOKEN_PEPPER;
      return refreshTokenHashMatches(pepper, signed.token, row.refreshTokenHash, 'reject-legacy')
        ? signed.token
        : null;
    } catch (error) {
      if (error instanceof SigningUnavailableError) throw error;
      return null;
    }
  }

  private tenantFor(definition: ServiceAccountDefinition, tenantId: string | null): string | null {
    if (definition.requiresTenant && !tenantId) {
      throw ServiceAccountException.badRequest(
        `Service account '${definition.account}' requires a tenant identifier.`,
        Code.TenantRequired,
      );
    }
    if (!definition.requiresTenant && tenantId) {
      throw ServiceAccountException.badRequest(
        `Service account '${definition.account}' does not accept tenant identifiers.`,
        Code.TenantForbidden,
      );
    }
    return tenantId ? tenantId.toLowerCase() : null;
  }

  private scopesFor(definition: ServiceAccountDefinition, requested: string[]): string[] {
    const scopes = [...new Set(requested.map((s) => s.trim()).filter(Boolean))];
    if (scopes.length === 0) {
      throw ServiceAccountException.badRequest(
        'At least one scope must be requested.',
        Code.InvalidScope,
      );
    }
    const unsupported = scopes.filter((s) => !definition.allowedScopes.includes(s)).sort();
    if (unsupported.length > 0) {
      throw ServiceAccountException.badRequest(
        `Unsupported scopes requested: ${unsupported.join(', ')}`,
        Code.InvalidScope,
      );
    }
    return scopes.sort();
  }

  private lifetimeFor(definition: ServiceAccountDefinition, requested: number | null): number {
    if (requested === null) return definition.defaultTtlMinutes ?? definition.maxTtlMinutes;
    if (requested <= 0) {
      throw ServiceAccountException.badRequest(
        'Requested lifetime must be positive.',
        Code.InvalidLifetime,
      );
    }
    if (requested > definition.maxTtlMinutes) {
      throw ServiceAccountException.badRequest(
        `Requested lifetime ${requested} exceeds max ${definition.maxTtlMinutes} for account '${definition.account}'.`,
        Code.InvalidLifetime,
      );
    }
    return requested;
  }

  private response(row: RefreshTokenEntity, token: string): ServiceAccountTokenResponse {
    return {
      refresh_token: token,
      expires_at: isoOffset(row.expiresAt),
      issued_at: isoOffset(row.issuedAt),
      scopes: row.scopes,
      tenant_id: row.tenantId,
      kid: row.signingKid,
      account: row.account,
      token_use: 'refresh',
      session_id: null,
    };
  }

  private record(
    request: IssuanceRequest,
    reason: Reason,
    startedAt: number,
    signer: string | null,
    detail: string | null,
  ): void {
    const success = reason === 'success_issued' || reason === 'success_reused';
    // Label values stay bounded: names outside the catalog are counted as `unknown`.
    const account = this.catalog.find(request.account)?.account ?? 'unknown';
    const labels = {
      account,
      result: success ? 'success' : 'failure',
      reason,
      reused: String(reason === 'success_reused'),
    };
    const seconds = MetricsService.secondsSince(startedAt);
    this.metrics.serviceAccountIssuance.inc(labels);
    this.metrics.serviceAccountIssuanceLatency.observe(labels, seconds);
    logEvent(this.log, success ? 'info' : 'warn', 'service_account_issuance', {
      account: request.account.slice(0, 128),
      tenant_id: request.tenantId,
      result: labels.result,
      reason,
      reused: reason === 'success_reused',
      duration_seconds: seconds,
      signer,
      detail,
    });
  }
}
