import type { AppConfig } from '../../../platform/config/app-config';
import { FileKeysetStorage } from './file-keyset.storage';
import type { KeysetStorage } from './keyset-storage';
import { vaultConnection } from '../vault/vault-http';
import { VaultKvKeysetStorage } from './vault-kv-keyset.storage';

/** The configured keyset backend: a JSON file, or Vault KV v1/v2 (`secret-manager`). */
export function createKeysetStorage(config: AppConfig): KeysetStorage {
  if (config.AUTH_KEY_STORAGE_BACKEND === 'secret-manager') {
    const connection = vaultConnection(config);
    // loadConfig already refuses this combination; the check keeps the factory honest on its own.
    if (!connection || !config.AUTH_KEY_SECRET_NAME) {
      throw new Error(
        'AUTH_KEY_STORAGE_BACKEND=secret-manager requires VAULT_ADDR, VAULT_TOKEN, AUTH_KEY_SECRET_NAME',
      );
    }
    return new VaultKvKeysetStorage(connection, config.AUTH_KEY_SECRET_NAME);
  }
  return new FileKeysetStorage(config.AUTH_KEY_STORAGE_PATH);
}
