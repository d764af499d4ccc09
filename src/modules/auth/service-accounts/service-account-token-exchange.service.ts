import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { AppConfig } from '../../../platform/config/app-config';
import { LoggerFactory, logEvent } from '../../../platform/observability/logger.factory';
import { isoOffset } from '../../../platform/time/iso';
import { AuthErrorCode, AuthException } from '../auth.errors';
import {
  SigningUnavailableError,
  TokenRejectedError,
  TokenService,
  type TokenClaims,
} from '../tokens/token.service';
import type { ServiceAccountAccessTokenResponse } from './dto/service-account-token-exchange.dto';
import { refreshTokenHashMatches } from '../tokens/refresh-token-hash';
import { ServiceAccountCatalog } from '../catalog/service-account-catalog.service';
import {
  SERVICE_ACCOUNT_SUBJECT_PREFIX,
  serviceAccountAccessClaims,
} from './service-account-claims';
import { RefreshTokenRepository } from '../users/refresh-token.repository';
import {
  ServiceAccountErrorCode as Code,
  ServiceAccountException,
} from './service-accounts.errors';

/**
 * How issued service-account tokens are used (decision A7): the long-lived refresh token is
 * exchanged here for a short-lived access token (`AUTH_SERVICE_ACCOUNT_ACCESS_TOKEN_TTL_MINUTES`,
 * never past the refresh token's own expiry) with `sub: service-account:<account>`, the configured
 * audiences, the granted scopes and the tenant. Every exchange checks the stored row, so a replaced
 * or revoked token stops at once; access tokens already handed out live at most their short
 * lifetime.
 */
@Injectable()
export class ServiceAccountTokenExchangeService {
  private readonly log: Logger;

  constructor(
    private readonly config: AppConfig,
    private readonly tokens: TokenService,
    private readonly rows: RefreshTokenRepository,
    private readonly catalog: ServiceAccountCatalog,
    loggers: LoggerFactory,
  ) {
    this.log = loggers.get('auth.observability');
  }

  async exchange(refreshToken: string): Promise<ServiceAccountAccessTokenResponse> {
    const claims = await this.verified(refreshToken);
    const account = claims.sub.slice(SERVICE_ACCOUNT_SUBJECT_PREFIX.length);
    const row = await this.rows.findServiceAccountToken(claims.jti);
    const now = new Date();
    if (
      !row ||
      row.account !== account ||
      row.revokedAt !== null ||
      row.expiresAt.getTime() <= now.getTime() ||
      !refreshTokenHashMatches(
        this.config.AUTH_REFRESH_TOKEN_PEPPER,
        refreshToken,
        row.refreshTokenHash,
        'reject-legacy',
      )
    ) {
      throw this.rejected(account, row ? 'revoked_or_unknown' : 'unknown_jti');
    }
    const definition = this.catalog.find(account);
    if (!definition || !row.scopes.every((scope) => definition.allowedScopes.includes(scope))) {
      throw this.rejected(account, 'catalog_changed');
    }
    const lifetimeSeconds = Math.max(
      1,
      Math.min(
        this.config.AUTH_SERVICE_ACCOUNT_ACCESS_TOKEN_TTL_MINUTES * 60,
        Math.floor((row.expiresAt.getTime() - now.getTime()) / 1000),
      ),
    );
    let signed;
    try {
      signed = await this.tokens.sign(
        serviceAccountAccessClaims({
          account,
          jti: randomUUID(),
          scopes: row.scopes,
          tenantId: row.tenantId,
          audience: this.config.AUTH_AUDIENCE,
        }),
        lifetimeSeconds,
        now,
      );
    } catch (error) {
      if (error instanceof SigningUnavailableError) {
        throw new AuthException(
          500,
          'Token signing is unavailable.',
          AuthErrorCode.SigningUnavailable,
        );
      }
      throw error;
    }
    logEvent(this.log, 'info', 'service_account_token_exchange', {
      result: 'success',
      account,
      tenant_id: row.tenantId,
      refresh_jti: row.refreshJti,
    });
    return {
      access_token: signed.token,
      token_type: 'bearer',
      expires_in: lifetimeSeconds,
      expires_at: isoOffset(signed.expiresAt),
      scope: row.scopes.join(' '),
      tenant_id: row.tenantId,
      account,
      kid: signed.kid,
    };
  }

  /** Signature, issuer and expiry, then the shape of a service-account refresh token. */
  private async verified(token: string): Promise<TokenClaims> {
    let claims: TokenClaims;
    try {
      claims = await this.tokens.verify(token, { requireAudience: false });
    } catch (error) {
      if (error instanceof TokenRejectedError) throw this.rejected(null, error.reason);
      throw error;
    }
    const account = claims.sub.startsWith(SERVICE_ACCOUNT_SUBJECT_PREFIX)
      ? claims.sub.slice(SERVICE_ACCOUNT_SUBJECT_PREFIX.length)
      : '';
    if (claims.token_use !== 'refresh' || !account || claims.account !== account) {
      throw this.rejected(null, 'not_a_service_account_refresh_token');
    }
    return claims;
  }

  private rejected(account: string | null, reason: string): ServiceAccountException {
    logEvent(this.log, 'warn', 'service_account_token_exchange', {
      result: 'failure',
      account,
      reason,
    });
    return ServiceAccountException.bearer(
      'Invalid service-account token.',
      Code.InvalidServiceAccountToken,
    );
  }
}
