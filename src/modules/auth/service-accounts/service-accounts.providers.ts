import type { Provider, Type } from '@nestjs/common';
import { KeyRotationService } from '../keys/key-rotation.service';
import { IssuanceCallerAuthenticator } from './issuance-caller.authenticator';
import { IssuanceRateLimiter } from './issuance-rate-limiter';
import { NonceStore } from './nonce-store';
import { ServiceAccountCatalog } from './service-account-catalog.service';
import { ServiceAccountIssuanceService } from './service-account-issuance.service';
import { ServiceAccountTokenExchangeService } from './service-account-token-exchange.service';
import { ServiceAccountTokenRepository } from './service-account-token.repository';
import { ServiceAccountsController } from './service-accounts.controller';
import { VaultTransitClient } from './vault-transit.client';

/**
 * Service accounts and the key lifecycle, registered by the auth module as one block (keeps the
 * module file's edits small while several people work on auth).
 */
export const SERVICE_ACCOUNT_PROVIDERS: Provider[] = [
  ServiceAccountCatalog,
  VaultTransitClient,
  NonceStore,
  IssuanceRateLimiter,
  IssuanceCallerAuthenticator,
  ServiceAccountTokenRepository,
  ServiceAccountIssuanceService,
  ServiceAccountTokenExchangeService,
  KeyRotationService,
];

export const SERVICE_ACCOUNT_CONTROLLERS: Type[] = [ServiceAccountsController];

/** What the operator CLI needs from auth (keys, JWKS, Transit signing, the catalog). */
export const SERVICE_ACCOUNT_EXPORTS: Provider[] = [
  ServiceAccountCatalog,
  VaultTransitClient,
  KeyRotationService,
];
