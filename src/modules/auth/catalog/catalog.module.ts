import { Module } from '@nestjs/common';
import { ServiceAccountCatalog } from './service-account-catalog.service';

/**
 * The service-account catalog (accounts, scopes, lifetimes) read from config. A leaf: key
 * rotation needs its longest lifetime and service-account issuance needs its accounts, so it
 * sits below both.
 */
@Module({ providers: [ServiceAccountCatalog], exports: [ServiceAccountCatalog] })
export class CatalogModule {}
