/** How to reach Vault: address, token and per-call timeout. */
export interface VaultConnection {
  addr: string;
  token: string;
  timeoutMs: number;
}

/** A Vault call that never got an HTTP answer (timeout, refused, DNS). */
export class VaultTransportError extends Error {
  constructor(readonly reason: 'timeout' | 'unreachable') {
    super(`Vault ${reason}`);
    this.name = 'VaultTransportError';
  }
}

export interface VaultResponse {
  status: number;
  /** Parsed JSON body, or undefined for an empty or non-JSON body. */
  body: unknown;
}

/**
 * One Vault HTTP API call (`{addr}/v1/{path}`, `X-Vault-Token`, JSON), bounded by the timeout.
 * The status is returned as is: callers decide what 404 or 4xx mean for them.
 */
export async function vaultRequest(
  connection: VaultConnection,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<VaultResponse> {
  const url = `${connection.addr.replace(/\/+$/, '')}/v1/${path.replace(/^\/+/, '')}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: {
        'X-Vault-Token': connection.token,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(connection.timeoutMs),
    });
  } catch (error) {
    const name = (error as { name?: string }).name;
    throw new VaultTransportError(
      name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'unreachable',
    );
  }
  const text = await response.text().catch(() => '');
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: response.status, body: parsed };
}

/** The connection from settings, or null when VAULT_ADDR or VAULT_TOKEN is missing. */
export function vaultConnection(config: {
  VAULT_ADDR?: string;
  VAULT_TOKEN?: string;
  VAULT_TIMEOUT_SECONDS: number;
}): VaultConnection | null {
  if (!config.VAULT_ADDR || !config.VAULT_TOKEN) return null;
  return {
    addr: config.VAULT_ADDR,
    token: config.VAULT_TOKEN,
    timeoutMs: Math.round(config.VAULT_TIMEOUT_SECONDS * 1000),
  };
}
