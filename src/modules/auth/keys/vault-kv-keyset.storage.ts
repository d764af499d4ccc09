import { EMPTY_KEYSET, parseKeyset, type KeysetDocument } from './keyset';
import { KeysetStorage } from './keyset-storage';
import { vaultRequest, type VaultConnection } from '../vault/vault-http';

/** The keyset backend could not read or write Vault (message is safe to log and print). */
export class KeysetStorageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeysetStorageError';
  }
}

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/**
 * Keyset in Vault KV (`AUTH_KEY_STORAGE_BACKEND=secret-manager`): the document is the secret's
 * `value` field, a JSON string. Reads accept KV v2 (`data.data.value`) and KV v1 (`data.value`),
 * string or object; 404 is an empty keyset. A KV v2 secret name carries the `data/` segment
 * (`secret/data/auth/keyset`). Caching is the keyset service's job.
 */
export class VaultKvKeysetStorage extends KeysetStorage {
  readonly backend = 'secret-manager' as const;
  private readonly path: string;

  constructor(
    private readonly connection: VaultConnection,
    secretName: string,
  ) {
    super();
    this.path = secretName.replace(/^\/+/, '');
  }

  /** KV v2 paths are `<mount>/data/<path>`; writes then wrap the secret in `data`. */
  get kvVersion(): 1 | 2 {
    return this.path.split('/')[1] === 'data' ? 2 : 1;
  }

  async load(): Promise<KeysetDocument> {
    const response = await vaultRequest(this.connection, 'GET', this.path);
    if (response.status === 404) return { ...EMPTY_KEYSET, retired: [] };
    if (response.status >= 400) {
      throw new KeysetStorageError(`Vault KV read of the keyset failed (HTTP ${response.status})`);
    }
    const data = record(record(response.body)?.data);
    const value = record(data?.data)?.value ?? data?.value;
    if (value === undefined || value === null) {
      throw new KeysetStorageError('Vault KV keyset secret has no "value" field');
    }
    try {
      return parseKeyset(typeof value === 'string' ? JSON.parse(value) : value);
    } catch (error) {
      throw new KeysetStorageError(
        `Vault KV keyset secret is not a keyset document: ${(error as Error).message}`,
      );
    }
  }

  async save(doc: KeysetDocument): Promise<void> {
    const value = JSON.stringify(doc);
    const body = this.kvVersion === 2 ? { data: { value } } : { value };
    const response = await vaultRequest(this.connection, 'POST', this.path, body);
    if (response.status >= 400) {
      throw new KeysetStorageError(`Vault KV write of the keyset failed (HTTP ${response.status})`);
    }
  }
}
