import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';

/** One catalog entry. */
export interface ServiceAccountDefinition {
  account: string;
  description: string;
  allowedScopes: string[];
  requiresTenant: boolean;
  defaultTtlMinutes: number | null;
  maxTtlMinutes: number;
}

/** The catalog file is unusable: a startup error naming every problem. */
export class ServiceAccountCatalogError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`Invalid service-account catalog ${source}:\n - ${problems.join('\n - ')}`);
    this.name = 'ServiceAccountCatalogError';
  }
}

const ACCOUNT_PATTERN = /^[a-z0-9-]+$/;
const FILE_NAME = 'service-accounts.yaml';

/**
 * The packaged catalog: next to this module (copied into `dist` by the build), or in the source
 * tree when running from `dist` without the copy (`nest start`).
 */
export function packagedCatalogPath(): string {
  const candidates = [
    join(__dirname, FILE_NAME),
    resolve(__dirname, '../../../../../src/modules/auth/service-accounts', FILE_NAME),
  ];
  return candidates.find((path) => existsSync(path)) ?? candidates[0];
}

function positiveInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

function parseEntry(raw: unknown, index: number, problems: string[]): ServiceAccountDefinition {
  const at = `service_accounts[${index}]`;
  const entry = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const account = typeof entry.account === 'string' ? entry.account : '';
  if (!ACCOUNT_PATTERN.test(account) || account.length < 3 || account.length > 64) {
    problems.push(`${at}.account must match ^[a-z0-9-]+$ with 3-64 characters`);
  }
  const description = typeof entry.description === 'string' ? entry.description : '';
  if (description.trim().length < 3) problems.push(`${at}.description needs 3+ characters`);
  const scopes = Array.isArray(entry.allowed_scopes) ? entry.allowed_scopes : [];
  const allowedScopes = scopes.filter((s): s is string => typeof s === 'string' && s.trim() !== '');
  if (allowedScopes.length === 0 || allowedScopes.length !== scopes.length) {
    problems.push(`${at}.allowed_scopes must be a non-empty list of scopes`);
  }
  const requiresTenant = entry.requires_tenant ?? true;
  if (typeof requiresTenant !== 'boolean') problems.push(`${at}.requires_tenant must be boolean`);
  const max = entry.max_ttl_minutes;
  if (!positiveInt(max)) problems.push(`${at}.max_ttl_minutes must be a positive integer`);
  const fallback = entry.default_ttl_minutes ?? null;
  if (fallback !== null && !positiveInt(fallback)) {
    problems.push(`${at}.default_ttl_minutes must be a positive integer or null`);
  } else if (fallback !== null && positiveInt(max) && fallback > max) {
    problems.push(`${at}.default_ttl_minutes must not exceed max_ttl_minutes`);
  }
  return {
    account,
    description,
    allowedScopes: allowedScopes.map((s) => s.trim()),
    requiresTenant: requiresTenant !== false,
    defaultTtlMinutes: positiveInt(fallback) ? fallback : null,
    maxTtlMinutes: positiveInt(max) ? max : 0,
  };
}

/** Validates a parsed catalog document; throws with every problem at once. */
export function parseCatalog(document: unknown, source: string): ServiceAccountDefinition[] {
  const root = (document && typeof document === 'object' ? document : {}) as Record<
    string,
    unknown
  >;
  const entries = root.service_accounts;
  if (!Array.isArray(entries) || entries.length === 0) {
    throw new ServiceAccountCatalogError(source, ['service_accounts must be a non-empty list']);
  }
  const problems: string[] = [];
  const definitions = entries.map((entry, index) => parseEntry(entry, index, problems));
  const seen = new Set<string>();
  for (const { account } of definitions) {
    if (seen.has(account)) problems.push(`duplicate account '${account}'`);
    seen.add(account);
  }
  if (problems.length > 0) throw new ServiceAccountCatalogError(source, problems);
  return definitions;
}

/** Reads and validates a catalog YAML file. */
export function loadCatalogFile(path: string): ServiceAccountDefinition[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ServiceAccountCatalogError(path, [
      `cannot read file (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    ]);
  }
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new ServiceAccountCatalogError(path, [`invalid YAML: ${(error as Error).message}`]);
  }
  return parseCatalog(document, path);
}
