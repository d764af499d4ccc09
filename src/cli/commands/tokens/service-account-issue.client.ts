import { Injectable } from '@nestjs/common';
import {
  buildVaultEnvelope,
  encodeVaultEnvelope,
  vaultSignedHeaders,
  VaultTransitClient,
} from '../../../modules/auth';
import { AppConfig } from '../../../platform/config/app-config';

export interface IssueServiceAccountInput {
  account: string;
  scopes: string[];
  tenantId: string | null;
  lifetimeMinutes: number | null;
  fingerprint: string | null;
  force: boolean;
  baseUrl: string;
}

/** The issuance response. */
export interface IssuedServiceAccountToken {
  refresh_token: string;
  expires_at: string;
  issued_at: string;
  scopes: string[];
  tenant_id: string | null;
  kid: string;
  account: string;
  token_use: string;
}

const TIMEOUT_MS = 10_000;

/**
 * Calls `POST <base>/api/v1/auth/service-accounts/issue` of a running API the way the reference CLI
 * did, with its Vault defects fixed: the envelope is signed by Vault Transit over standard base64
 * and the signature keeps its `vault:v1:` prefix. Without Vault settings (or with
 * AUTH_CLI_DEV_AUTH_MODE=local) it sends `Bearer dev-local`, which only a development API accepts.
 */
@Injectable()
export class ServiceAccountIssueClient {
  constructor(
    private readonly config: AppConfig,
    private readonly transit: VaultTransitClient,
  ) {}

  get mode(): 'vault' | 'dev-local' {
    const local = this.config.AUTH_CLI_DEV_AUTH_MODE === 'local';
    return local || !this.transit.configured ? 'dev-local' : 'vault';
  }

  async issue(input: IssueServiceAccountInput): Promise<IssuedServiceAccountToken> {
    const headers = await this.authHeaders(input);
    const url = `${input.baseUrl.replace(/\/+$/, '')}/api/v1/auth/service-accounts/issue`;
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { ...headers, 'Content-Type': 'application/json' },
        body: JSON.stringify({
          account: input.account,
          scopes: input.scopes,
          tenant_id: input.tenantId,
          lifetime_minutes: input.lifetimeMinutes,
          fingerprint: input.fingerprint,
          force: input.force,
        }),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      const reason = (error as Error).name === 'TimeoutError' ? 'timed out' : 'failed';
      throw new Error(`Request to ${url} ${reason}: ${(error as Error).message}`);
    }
    const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (!response.ok) {
      const detail = [body.detail, body.error, body.message].find((v) => typeof v === 'string');
      throw new Error(`Issuance failed (${response.status}): ${detail ?? response.statusText}`);
    }
    return body as unknown as IssuedServiceAccountToken;
  }

  private async authHeaders(input: IssueServiceAccountInput): Promise<Record<string, string>> {
    if (this.mode === 'dev-local') return { Authorization: 'Bearer dev-local' };
    const payload = encodeVaultEnvelope(
      buildVaultEnvelope({
        account: input.account,
        scopes: input.scopes,
        tenantId: input.tenantId,
        lifetimeMinutes: input.lifetimeMinutes,
        fingerprint: input.fingerprint,
      }),
    );
    let signature: string;
    try {
      signature = await this.transit.sign(payload);
    } catch (error) {
      throw new Error(`Vault signing failed: ${(error as Error).message}`);
    }
    return vaultSignedHeaders(payload, signature);
  }
}
