import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../../platform/config/app-config';
import { vaultConnection, vaultRequest, type VaultConnection } from '../vault/vault-http';

/** Vault answered with an HTTP error (the status is safe to show; Vault's own text is not). */
export class VaultHttpStatusError extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
    this.name = 'VaultHttpStatusError';
  }
}

/** VAULT_ADDR or VAULT_TOKEN is missing. */
export class VaultNotConfiguredError extends Error {
  constructor() {
    super('Vault client not configured.');
    this.name = 'VaultNotConfiguredError';
  }
}

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
}

/**
 * Vault Transit sign/verify with the `VAULT_TRANSIT_KEY` key. `input` is standard base64 (what
 * Transit requires) and signatures keep their `vault:v<n>:` prefix (what verify requires): the
 * reference got both wrong, so its flow never worked against a real Vault.
 */
@Injectable()
export class VaultTransitClient {
  private readonly connection: VaultConnection | null;

  constructor(private readonly config: AppConfig) {
    this.connection = vaultConnection(config);
  }

  get configured(): boolean {
    return this.connection !== null;
  }

  /** Whether Vault accepts `signature` over `input`; transport and HTTP errors throw. */
  async verify(input: string, signature: string): Promise<boolean> {
    const data = await this.call(`transit/verify/${this.key}`, { input, signature });
    if (typeof data.valid !== 'boolean') throw new VaultHttpStatusError(502);
    return data.valid;
  }

  /** Signs `input` (standard base64); returns Vault's signature, `vault:v<n>:<base64>`. */
  async sign(input: string): Promise<string> {
    const data = await this.call(`transit/sign/${this.key}`, { input });
    if (typeof data.signature !== 'string') throw new VaultHttpStatusError(502);
    return data.signature;
  }

  private get key(): string {
    return encodeURIComponent(this.config.VAULT_TRANSIT_KEY);
  }

  private async call(path: string, body: unknown): Promise<Record<string, unknown>> {
    if (!this.connection) throw new VaultNotConfiguredError();
    const response = await vaultRequest(this.connection, 'POST', path, body);
    if (response.status >= 400) throw new VaultHttpStatusError(response.status);
    return record(record(response.body).data);
  }
}
