import { Injectable } from '@nestjs/common';
import { importJWK, importPKCS8, type KeyLike } from 'jose';
import type { Logger } from 'pino';
import { AppConfig } from '../../../platform/config/app-config';
import { LoggerFactory } from '../../../platform/observability/logger.factory';
import { generateKeyMaterial, type KeyMaterial } from './key-material';
import {
  EMPTY_KEYSET,
  isVerifiable,
  publishedKeys,
  signingKey,
  type KeysetDocument,
} from './keyset';
import { KeysetStorage } from './keyset-storage';

interface LoadedKeyset {
  doc: KeysetDocument;
  loadedAt: number;
  /**
   * Imported keys by kid (active and retired), so each request does not re-parse PEM/JWK. Their
   * validity window is checked at use, so a key stops verifying at its `not_after` exactly.
   */
  verifyKeys: Map<string, { material: KeyMaterial; key: KeyLike }>;
  /** The active key with its private key; `signingKey()` validity is checked at use. */
  signing: { material: KeyMaterial; key: KeyLike } | null;
}

/** Changes of the keyset (rotation, reload) invalidate caches that depend on it. */
type KeysetListener = () => void;

/**
 * The keyset, cached in memory (the reference re-read the file or Vault on every token
 * operation) and reloaded when the cache ages out or a token names an unknown kid.
 */
@Injectable()
export class KeysetService {
  private current?: LoadedKeyset;
  private loading?: Promise<LoadedKeyset>;
  private lastForcedReload = 0;
  private readonly listeners = new Set<KeysetListener>();
  private readonly log: Logger;

  constructor(
    private readonly config: AppConfig,
    private readonly storage: KeysetStorage,
    loggers: LoggerFactory,
  ) {
    this.log = loggers.get('auth.keys');
  }

  get backend(): 'file' | 'secret-manager' {
    return this.storage.backend;
  }

  onChange(listener: KeysetListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Development convenience: an empty keyset gets an active and a next key at boot. */
  async provisionIfEmpty(): Promise<boolean> {
    const doc = await this.storage.load();
    if (doc.active) return false;
    const active = await generateKeyMaterial();
    const next = await generateKeyMaterial();
    await this.save({ schema_version: 1, active, next, retired: doc.retired ?? [] });
    return true;
  }

  async document(): Promise<KeysetDocument> {
    return (await this.loaded()).doc;
  }

  /** The active key with its imported private key, or null when signing is impossible. */
  async signer(): Promise<{ material: KeyMaterial; key: KeyLike } | null> {
    const { doc, signing } = await this.loaded();
    return signing && signingKey(doc) ? signing : null;
  }

  /**
   * A verification key by kid, if it is inside its validity window. An unknown kid (another
   * replica or the CLI rotated) triggers one reload first, rate-limited so junk kids cannot
   * hammer the storage.
   */
  async verificationKey(kid: string): Promise<KeyLike | null> {
    let found = (await this.loaded()).verifyKeys.get(kid);
    if (!found && Date.now() - this.lastForcedReload >= 5000) {
      this.lastForcedReload = Date.now();
      found = (await this.loaded(true)).verifyKeys.get(kid);
    }
    return found && isVerifiable(found.material) ? found.key : null;
  }

  async published(): Promise<KeyMaterial[]> {
    return publishedKeys((await this.loaded()).doc);
  }

  /** Persists a new document and makes it current at once (rotation, provisioning, pruning). */
  async save(doc: KeysetDocument): Promise<void> {
    await this.storage.save(doc);
    this.current = await this.build(doc);
    for (const listener of this.listeners) listener();
  }

  /** Reads storage now, bypassing the cache (used by `keys list` and readiness). */
  async reload(): Promise<KeysetDocument> {
    return (await this.loaded(true)).doc;
  }

  private async loaded(force = false): Promise<LoadedKeyset> {
    const ttlMs = this.config.AUTH_KEYSET_CACHE_SECONDS * 1000;
    if (!force && this.current && Date.now() - this.current.loadedAt < ttlMs) return this.current;
    this.loading ??= this.storage
      .load()
      .then((doc) => this.build(doc))
      .then((loaded) => {
        const changed =
          this.current && JSON.stringify(this.current.doc) !== JSON.stringify(loaded.doc);
        this.current = loaded;
        if (changed) for (const listener of this.listeners) listener();
        return loaded;
      })
      .catch((error: unknown) => {
        this.log.error({ err: error, backend: this.storage.backend }, 'Keyset load failed');
        if (!this.current) throw error;
        // Keep serving the last good keyset; retry the storage in a few seconds, not per request.
        this.current = { ...this.current, loadedAt: Date.now() - ttlMs + Math.min(ttlMs, 5000) };
        return this.current;
      })
      .finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async build(doc: KeysetDocument): Promise<LoadedKeyset> {
    const verifyKeys = new Map<string, { material: KeyMaterial; key: KeyLike }>();
    for (const material of [doc.active, ...(doc.retired ?? [])]) {
      if (!material) continue;
      const key = (await importJWK(material.public_jwk, 'EdDSA')) as KeyLike;
      verifyKeys.set(material.kid, { material, key });
    }
    const signingMaterial = doc.active;
    const signing = signingMaterial?.private_key
      ? { material: signingMaterial, key: await importPKCS8(signingMaterial.private_key, 'EdDSA') }
      : null;
    return { doc: doc ?? EMPTY_KEYSET, loadedAt: Date.now(), verifyKeys, signing };
  }
}
