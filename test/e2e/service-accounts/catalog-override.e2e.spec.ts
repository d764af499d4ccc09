import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../src/platform/config/load-config';
import { ServiceAccountCatalog } from '../../../src/modules/auth/catalog/service-account-catalog.service';
import { KeyRotationService } from '../../../src/modules/auth/keys/key-rotation.service';
import { startTestApp, type TestApp } from '../../support/test-app';

const CATALOG = `
service_accounts:
  - account: nightly-export
    description: Exports without a tenant
    allowed_scopes: [conversations:read]
    requires_tenant: false
    max_ttl_minutes: 86400
`;

describe('AUTH_SERVICE_ACCOUNT_CATALOG_PATH', () => {
  let dir: string;
  let t: TestApp;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aa-catalog-'));
    writeFileSync(join(dir, 'catalog.yaml'), CATALOG);
    writeFileSync(join(dir, 'broken.yaml'), 'service_accounts: []\n');
    t = await startTestApp({
      env: {
        AUTH_SERVICE_ACCOUNT_CATALOG_PATH: join(dir, 'catalog.yaml'),
        AUTH_REFRESH_TOKEN_TTL_MINUTES: '60',
      },
    });
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('replaces the packaged catalog (and bounds the key-rotation overlap)', async () => {
    const issued = await t.http
      .post('/api/v1/auth/service-accounts/issue')
      .set('Authorization', 'Bearer dev-local')
      .send({ account: 'nightly-export', scopes: ['conversations:read'] })
      .expect(201);
    expect(issued.body).toMatchObject({ account: 'nightly-export', tenant_id: null });
    const expiresIn = Date.parse(issued.body.expires_at) - Date.parse(issued.body.issued_at);
    expect(expiresIn).toBe(86400 * 60 * 1000);
    await t.http
      .post('/api/v1/auth/service-accounts/issue')
      .set('Authorization', 'Bearer dev-local')
      .send({ account: 'support-console', scopes: ['support:*'] })
      .expect(400);
    // The longest token lifetime is now the catalog's, not the 60-minute refresh TTL.
    const overlap = t.app.get(KeyRotationService).overlapSeconds();
    expect(overlap).toBe(86400 * 60 + t.config.AUTH_KEYSET_CACHE_SECONDS + 60);
  });

  it('refuses to build the catalog (so the app refuses to start) when the file is invalid', () => {
    const config = loadConfig(
      { AUTH_SERVICE_ACCOUNT_CATALOG_PATH: join(dir, 'broken.yaml') },
      { readDotenvFiles: false },
    );
    expect(() => new ServiceAccountCatalog(config)).toThrow(
      /service_accounts must be a non-empty list/,
    );
  });
});
