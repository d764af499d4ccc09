import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../../platform/config/app-config';
import {
  loadCatalogFile,
  packagedCatalogPath,
  type ServiceAccountDefinition,
} from './service-account-catalog';

/**
 * The service-account catalog, loaded once when the module is built: an empty, invalid or
 * duplicate catalog stops the app (and the CLI) from starting. `AUTH_SERVICE_ACCOUNT_CATALOG_PATH`
 * replaces the packaged file (the reference had no override).
 */
@Injectable()
export class ServiceAccountCatalog {
  readonly source: string;
  private readonly byAccount: Map<string, ServiceAccountDefinition>;

  constructor(config: AppConfig) {
    this.source = config.AUTH_SERVICE_ACCOUNT_CATALOG_PATH ?? packagedCatalogPath();
    this.byAccount = new Map(loadCatalogFile(this.source).map((d) => [d.account, d]));
  }

  find(account: string): ServiceAccountDefinition | undefined {
    return this.byAccount.get(account);
  }

  all(): ServiceAccountDefinition[] {
    return [...this.byAccount.values()];
  }

  /** The longest refresh-token lifetime any account may get (bounds key-rotation overlap). */
  maxTtlMinutes(): number {
    return Math.max(0, ...this.all().map((d) => d.maxTtlMinutes));
  }
}
