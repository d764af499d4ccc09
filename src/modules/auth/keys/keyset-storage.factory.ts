import type { AppConfig } from '../../../platform/config/app-config';
import { FileKeysetStorage } from './file-keyset.storage';
import type { KeysetStorage } from './keyset-storage';

/** The configured keyset backend (the Vault KV backend plugs in here). */
export function createKeysetStorage(config: AppConfig): KeysetStorage {
  if (config.AUTH_KEY_STORAGE_BACKEND === 'secret-manager') {
    throw new Error('AUTH_KEY_STORAGE_BACKEND=secret-manager is not available yet');
  }
  return new FileKeysetStorage(config.AUTH_KEY_STORAGE_PATH);
}
