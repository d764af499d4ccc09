import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  loadCatalogFile,
  packagedCatalogPath,
  parseCatalog,
  ServiceAccountCatalogError,
} from '../../../src/modules/auth/catalog/service-account-catalog';

describe('service-account catalog', () => {
  it('packages the four reference accounts', () => {
    const catalog = loadCatalogFile(packagedCatalogPath());
    expect(
      catalog.map((d) => [
        d.account,
        d.allowedScopes,
        d.requiresTenant,
        d.defaultTtlMinutes,
        d.maxTtlMinutes,
      ]),
    ).toEqual([
      ['analytics-batch', ['conversations:read'], true, 43200, 43200],
      ['billing-worker', ['billing:read', 'billing:manage'], true, 43200, 43200],
      ['support-console', ['support:*'], false, 10080, 10080],
      [
        'synthetic-monitor',
        ['conversations:write', 'tools:read', 'billing:read'],
        true,
        1440,
        1440,
      ],
    ]);
  });

  it('defaults requires_tenant to true and default_ttl_minutes to none', () => {
    const [entry] = parseCatalog(
      {
        service_accounts: [
          { account: 'etl', description: 'ETL', allowed_scopes: ['a:b'], max_ttl_minutes: 5 },
        ],
      },
      'inline',
    );
    expect(entry).toMatchObject({
      requiresTenant: true,
      defaultTtlMinutes: null,
      maxTtlMinutes: 5,
    });
  });

  it('reports every problem at once', () => {
    const document = {
      service_accounts: [
        { account: 'Bad_Name', description: 'x', allowed_scopes: [], max_ttl_minutes: 0 },
        {
          account: 'dup',
          description: 'one',
          allowed_scopes: ['a'],
          max_ttl_minutes: 5,
          default_ttl_minutes: 9,
        },
        {
          account: 'dup',
          description: 'two',
          allowed_scopes: ['a'],
          max_ttl_minutes: 5,
          requires_tenant: 'yes',
        },
      ],
    };
    let error: ServiceAccountCatalogError | undefined;
    try {
      parseCatalog(document, 'inline');
    } catch (caught) {
      error = caught as ServiceAccountCatalogError;
    }
    expect(error?.problems).toEqual([
      'service_accounts[0].account must match ^[a-z0-9-]+$ with 3-64 characters',
      'service_accounts[0].description needs 3+ characters',
      'service_accounts[0].allowed_scopes must be a non-empty list of scopes',
      'service_accounts[0].max_ttl_minutes must be a positive integer',
      'service_accounts[1].default_ttl_minutes must not exceed max_ttl_minutes',
      'service_accounts[2].requires_tenant must be boolean',
      "duplicate account 'dup'",
    ]);
  });

  it('refuses an empty catalog, unreadable files and invalid YAML', () => {
    expect(() => parseCatalog({ service_accounts: [] }, 'x')).toThrow(
      'service_accounts must be a non-empty list',
    );
    const dir = mkdtempSync(join(tmpdir(), 'aa-catalog-'));
    try {
      expect(() => loadCatalogFile(join(dir, 'missing.yaml'))).toThrow(
        /cannot read file \(ENOENT\)/,
      );
      writeFileSync(join(dir, 'bad.yaml'), 'service_accounts: [');
      expect(() => loadCatalogFile(join(dir, 'bad.yaml'))).toThrow(/invalid YAML/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
