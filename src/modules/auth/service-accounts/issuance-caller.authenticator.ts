import { Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppConfig } from '../../../platform/config/app-config';
import { LoggerFactory, logEvent } from '../../../platform/observability/logger.factory';
import { VaultTransportError } from '../vault/vault-http';
import { NonceStore } from './nonce-store';
import {
  ServiceAccountErrorCode as Code,
  ServiceAccountException,
} from './service-accounts.errors';
import {
  checkEnvelopeClaims,
  checkFreshness,
  decodeVaultPayload,
  reconcileWithRequest,
  type IssuanceRequest,
} from './vault-payload';
import {
  VaultHttpStatusError,
  VaultNotConfiguredError,
  VaultTransitClient,
} from './vault-transit.client';

export interface AuthenticatedIssuance {
  mode: 'vault' | 'dev-local';
  /** The signed `sub` (who signed), for the audit log. */
  signer: string | null;
  request: IssuanceRequest;
}

/** `vault:v<version>:<standard base64>`: Transit's signature format, prefix included. */
const VAULT_SIGNATURE = /^vault:v\d+:[A-Za-z0-9+/]+={0,2}$/;

/**
 * Who may ask for a service-account token (decision A7): a payload signed by Vault Transit, or the
 * static `dev-local` credential in development only. The checks keep the reference's texts; its
 * defects are fixed: the full `vault:v1:` signature goes to Vault, `iss`/`sub` are checked, a
 * signed tenant is honoured, and freshness is checked before the nonce is spent.
 */
@Injectable()
export class IssuanceCallerAuthenticator {
  private readonly log: Logger;

  constructor(
    private readonly config: AppConfig,
    private readonly transit: VaultTransitClient,
    private readonly nonces: NonceStore,
    loggers: LoggerFactory,
  ) {
    this.log = loggers.get('auth.observability');
  }

  async authenticate(
    authorization: string | undefined,
    payloadHeader: string | undefined,
    request: IssuanceRequest,
  ): Promise<AuthenticatedIssuance> {
    const value = (authorization ?? '').trim();
    if (!value) {
      throw ServiceAccountException.bearer(
        'Missing Authorization header.',
        Code.MissingAuthorization,
      );
    }
    if (!/^bearer\s/i.test(value)) {
      throw ServiceAccountException.bearer(
        'Authorization header must use Bearer scheme.',
        Code.InvalidAuthorizationScheme,
      );
    }
    const credential = value.slice(7).trim();
    if (credential.startsWith('vault:')) {
      if (!this.config.VAULT_VERIFY_ENABLED) throw this.vaultDisabled();
      if (!payloadHeader?.trim()) {
        throw ServiceAccountException.unauthorized(
          'Missing X-Vault-Payload header.',
          Code.VaultPayloadMissing,
        );
      }
      return this.vaultSigned(credential, payloadHeader, request);
    }
    if (credential === 'dev-local' && this.devLocalAllowed()) {
      return { mode: 'dev-local', signer: null, request };
    }
    throw ServiceAccountException.bearer(
      'Vault-signed credential required for service-account issuance.',
      Code.VaultCredentialRequired,
    );
  }

  /** Development only: production refuses to boot with Vault verification off, and is checked again here. */
  private devLocalAllowed(): boolean {
    return !this.config.VAULT_VERIFY_ENABLED && !this.config.isProduction;
  }

  private async vaultSigned(
    signature: string,
    payloadHeader: string,
    request: IssuanceRequest,
  ): Promise<AuthenticatedIssuance> {
    const { claims, input } = decodeVaultPayload(payloadHeader);
    checkEnvelopeClaims(claims);
    const reconciled = reconcileWithRequest(claims, request);
    if (!this.config.VAULT_VERIFY_ENABLED) throw this.vaultDisabled();
    await this.verifySignature(input, signature);
    const nonce = checkFreshness(claims, Math.floor(Date.now() / 1000));
    await this.nonces.claim(nonce);
    return { mode: 'vault', signer: String(claims.sub), request: reconciled };
  }

  private async verifySignature(input: string, signature: string): Promise<void> {
    if (!VAULT_SIGNATURE.test(signature)) {
      this.logVerify('failure', 'invalid_signature', 'malformed signature');
      throw ServiceAccountException.unauthorized(
        'Vault signature must keep its vault:v<version>: prefix.',
        Code.VaultSignatureInvalid,
      );
    }
    let valid: boolean;
    try {
      valid = await this.transit.verify(input, signature);
    } catch (error) {
      throw this.verificationError(error);
    }
    if (!valid) {
      this.logVerify('failure', 'invalid_signature', null);
      throw ServiceAccountException.unauthorized(
        'Invalid Vault signature.',
        Code.VaultSignatureInvalid,
      );
    }
    this.logVerify('success', 'validated', null);
  }

  /** Vault said no (4xx) is the caller's fault; Vault unreachable or failing is ours (503). */
  private verificationError(error: unknown): ServiceAccountException {
    if (error instanceof VaultNotConfiguredError) {
      this.logVerify('error', 'client_unavailable', error.message);
      return ServiceAccountException.unavailable(
        'Vault client not configured.',
        Code.VaultNotConfigured,
      );
    }
    if (error instanceof VaultHttpStatusError && error.status < 500) {
      this.logVerify('failure', 'verification_exception', error.message);
      return ServiceAccountException.unauthorized(
        `Vault verification failed: ${error.message}`,
        Code.VaultVerificationFailed,
      );
    }
    const detail =
      error instanceof VaultTransportError || error instanceof VaultHttpStatusError
        ? error.message
        : 'unexpected error';
    this.logVerify('error', 'verification_exception', detail);
    return ServiceAccountException.unavailable(
      'Vault verification unavailable. Retry later.',
      Code.VaultUnavailable,
    );
  }

  private vaultDisabled(): ServiceAccountException {
    return ServiceAccountException.unavailable(
      'Vault verification disabled; cannot accept vault credentials.',
      Code.VaultDisabled,
    );
  }

  private logVerify(result: string, reason: string, detail: string | null): void {
    logEvent(this.log, result === 'success' ? 'info' : 'warn', 'vault_signature_verify', {
      result,
      reason,
      detail,
    });
  }
}
