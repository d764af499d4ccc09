import { randomUUID } from 'node:crypto';
import {
  VAULT_PAYLOAD_AUDIENCE,
  VAULT_PAYLOAD_ISSUER,
  VAULT_PAYLOAD_SUBJECT,
} from './vault-payload';

export interface VaultEnvelopeInput {
  account: string;
  scopes: string[];
  tenantId?: string | null;
  lifetimeMinutes?: number | null;
  fingerprint?: string | null;
  now?: Date;
  nonce?: string;
  /** Seconds until `exp` (the reference CLI: 300). */
  expiresInSeconds?: number;
}

/**
 * The envelope a caller signs with Vault Transit (the client side): optional claims only when
 * given; `tenant_id` always present (null when global).
 */
export function buildVaultEnvelope(input: VaultEnvelopeInput): Record<string, unknown> {
  const iat = Math.floor((input.now ?? new Date()).getTime() / 1000);
  return {
    iss: VAULT_PAYLOAD_ISSUER,
    aud: [VAULT_PAYLOAD_AUDIENCE],
    sub: VAULT_PAYLOAD_SUBJECT,
    account: input.account,
    tenant_id: input.tenantId ?? null,
    scopes: input.scopes,
    nonce: input.nonce ?? randomUUID().replace(/-/g, ''),
    iat,
    exp: iat + (input.expiresInSeconds ?? 300),
    ...(input.fingerprint ? { fingerprint: input.fingerprint } : {}),
    ...(input.lifetimeMinutes ? { lifetime_minutes: input.lifetimeMinutes } : {}),
  };
}

/** Compact JSON as standard, padded base64: the `X-Vault-Payload` value and the Transit input. */
export function encodeVaultEnvelope(envelope: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(envelope), 'utf8').toString('base64');
}

/** The two headers of a Vault-signed issuance request. */
export function vaultSignedHeaders(
  payload: string,
  signature: string,
): { Authorization: string; 'X-Vault-Payload': string } {
  return { Authorization: `Bearer ${signature}`, 'X-Vault-Payload': payload };
}
