import { randomUUID } from 'node:crypto';
import { exportJWK, exportPKCS8, generateKeyPair } from 'jose';

/** Public half of an Ed25519 key as published in the JWKS. */
export interface PublicJwk {
  kty: 'OKP';
  crv: 'Ed25519';
  kid: string;
  x: string;
  use: 'sig';
  alg: 'EdDSA';
}

/**
 * One signing key as stored in the keyset document (reference shape): timestamps are ISO-8601 with
 * offset; `private_key` is an unencrypted PKCS#8 PEM and is dropped once a key is retired (retired
 * keys only verify).
 */
export interface KeyMaterial {
  kid: string;
  public_jwk: PublicJwk;
  created_at: string;
  not_before: string;
  not_after: string | null;
  private_key?: string | null;
  /** Set when the key stopped signing (our addition; the reference ignores unknown fields). */
  retired_at?: string | null;
}

/** Reference default kid: `ed25519-` + 12 hex characters of a UUIDv4. */
export function defaultKid(): string {
  return `ed25519-${randomUUID().replace(/-/g, '').slice(0, 12)}`;
}

export async function generateKeyMaterial(
  kid = defaultKid(),
  now = new Date(),
): Promise<KeyMaterial> {
  const { publicKey, privateKey } = await generateKeyPair('EdDSA', {
    crv: 'Ed25519',
    extractable: true,
  });
  const jwk = await exportJWK(publicKey);
  if (!jwk.x) throw new Error('Generated Ed25519 key has no public component');
  const timestamp = now.toISOString().replace('Z', '+00:00');
  return {
    kid,
    public_jwk: { kty: 'OKP', crv: 'Ed25519', kid, x: jwk.x, use: 'sig', alg: 'EdDSA' },
    created_at: timestamp,
    not_before: timestamp,
    not_after: null,
    private_key: await exportPKCS8(privateKey),
  };
}
