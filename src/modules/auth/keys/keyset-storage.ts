import type { KeysetDocument } from './keyset';

/** Where the keyset document lives (file or Vault KV); implementations do no caching. */
export abstract class KeysetStorage {
  abstract readonly backend: 'file' | 'secret-manager';
  /** The stored document, or an empty keyset when nothing is stored yet. */
  abstract load(): Promise<KeysetDocument>;
  abstract save(doc: KeysetDocument): Promise<void>;
}
