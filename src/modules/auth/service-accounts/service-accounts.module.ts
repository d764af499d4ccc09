import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { AuthSharedModule } from '../auth-shared.module';
import { CatalogModule } from '../catalog/catalog.module';
import { KeysModule } from '../keys/keys.module';
import { TokensModule } from '../tokens/tokens.module';
import { UsersModule } from '../users/users.module';
import { IssuanceCallerAuthenticator } from './issuance-caller.authenticator';
import { IssuanceRateLimiter } from './issuance-rate-limiter';
import { NonceStore } from './nonce-store';
import { ServiceAccountIssuanceService } from './service-account-issuance.service';
import { ServiceAccountTokenExchangeService } from './service-account-token-exchange.service';
import { ServiceAccountsController } from './service-accounts.controller';
import { VaultTransitClient } from './vault-transit.client';

/** Service accounts: Vault-authenticated issuance, Transit signing and the token exchange. */
@Module({
  imports: [AuthSharedModule, AuditModule, CatalogModule, KeysModule, TokensModule, UsersModule],
  controllers: [ServiceAccountsController],
  providers: [
    VaultTransitClient,
    NonceStore,
    IssuanceRateLimiter,
    IssuanceCallerAuthenticator,
    ServiceAccountIssuanceService,
    ServiceAccountTokenExchangeService,
  ],
  exports: [VaultTransitClient],
})
export class ServiceAccountsModule {}
