import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { decodeProtectedHeader } from 'jose';
import { KeyRotationService } from '../../../src/modules/auth/keys/key-rotation.service';
import { serviceAccountAccessClaims } from '../../../src/modules/auth/service-accounts/service-account-claims';
import { TokenService } from '../../../src/modules/auth/tokens/token.service';
import { createTestUser } from '../../support/auth-fixtures';
import { startTestApp, type TestApp } from '../../support/test-app';

/** A token without a session (so any replica can check it without shared session state). */
async function toolsReaderToken(t: TestApp): Promise<string> {
  const claims = serviceAccountAccessClaims({
    account: 'synthetic-monitor',
    jti: randomUUID(),
    scopes: ['tools:read'],
    tenantId: randomUUID(),
    audience: t.config.AUTH_AUDIENCE,
  });
  return (await t.app.get(TokenService).sign(claims, 600)).token;
}

describe('key rotation with overlap (decision A4)', () => {
  let keyDir: string;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    keyDir = mkdtempSync(join(tmpdir(), 'aa-rotation-'));
    const env = { AUTH_KEY_STORAGE_PATH: join(keyDir, 'keyset.json') };
    a = await startTestApp({ env });
    // A second replica on the same keyset, started (and caching the keyset) before the rotation.
    b = await startTestApp({ env });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    rmSync(keyDir, { recursive: true, force: true });
  });

  it('keeps old tokens working, changes JWKS and ETag, and drops the old key only when pruned', async () => {
    const user = await createTestUser(a);
    const oldKid = decodeProtectedHeader(user.accessToken).kid as string;
    const serviceToken = await toolsReaderToken(a);
    const before = await a.http.get('/.well-known/jwks.json').expect(200);
    const beforeKids = (before.body.keys as { kid: string }[]).map((k) => k.kid);
    expect(beforeKids[0]).toBe(oldKid);
    const publishedNext = beforeKids[1];

    const report = await a.app.get(KeyRotationService).rotate();
    expect(report).toMatchObject({
      kid: publishedNext,
      previous_kid: oldKid,
      storage_backend: 'file',
    });
    expect(Date.parse(report.previous_verifies_until as string)).toBeGreaterThan(
      Date.now() + 30 * 24 * 3600 * 1000,
    );

    // Old tokens keep working on the rotating replica and on the other one.
    await a.http.get('/api/v1/auth/me').set('Authorization', user.authorization).expect(200);
    await b.http.get('/api/v1/tools').set('Authorization', `Bearer ${serviceToken}`).expect(200);

    // New tokens are signed with the promoted key, and the other replica picks it up at once.
    const fresh = await toolsReaderToken(a);
    expect(decodeProtectedHeader(fresh).kid).toBe(publishedNext);
    await b.http.get('/api/v1/tools').set('Authorization', `Bearer ${fresh}`).expect(200);

    // The JWKS publishes active, the new next and the retired key, under a new ETag.
    const after = await a.http
      .get('/.well-known/jwks.json')
      .set('If-None-Match', before.headers.etag)
      .expect(200);
    expect((after.body.keys as { kid: string }[]).map((k) => k.kid)).toEqual([
      publishedNext,
      report.next_kid,
      oldKid,
    ]);
    expect(after.headers.etag).not.toBe(before.headers.etag);
    expect(after.headers['cache-control']).toBe('public, max-age=300');
    await a.http.get('/.well-known/jwks.json').set('If-None-Match', after.headers.etag).expect(304);

    // Nothing to prune yet: the retired key still verifies.
    expect((await a.app.get(KeyRotationService).prune()).removed).toEqual([]);
    await a.http.get('/api/v1/auth/me').set('Authorization', user.authorization).expect(200);

    // Once the overlap has passed, prune removes it and its tokens stop verifying.
    const later = new Date(Date.parse(report.previous_verifies_until as string) + 1000);
    const pruned = await a.app.get(KeyRotationService).prune({ now: later });
    expect(pruned.removed).toEqual([oldKid]);
    await a.http.get('/api/v1/auth/me').set('Authorization', user.authorization).expect(401);
    const final = await a.http.get('/.well-known/jwks.json').expect(200);
    expect((final.body.keys as { kid: string }[]).map((k) => k.kid)).not.toContain(oldKid);
    expect(final.headers.etag).not.toBe(after.headers.etag);
  });

  it('names a fresh active key with --kid and keeps the published next', async () => {
    const rotation = a.app.get(KeyRotationService);
    const before = (await rotation.list()).find((k) => k.status === 'next');
    const report = await rotation.rotate({ kid: 'ops-2026-11' });
    expect(report.kid).toBe('ops-2026-11');
    expect(report.next_kid).toBe(before?.kid);
    expect(report.warnings[0]).toMatch(/JWKS max-age/);
    await expect(rotation.rotate({ kid: 'ops-2026-11' })).rejects.toThrow(/already exists/);
    await expect(rotation.rotate({ kid: 'bad kid!' })).rejects.toThrow(/--kid must be/);
    const token = await toolsReaderToken(a);
    expect(decodeProtectedHeader(token).kid).toBe('ops-2026-11');
    await a.http.get('/api/v1/tools').set('Authorization', `Bearer ${token}`).expect(200);
  });

  it('keeps service-account tokens exchangeable across a rotation; reuse then mints a new one', async () => {
    const body = {
      account: 'analytics-batch',
      scopes: ['conversations:read'],
      tenant_id: randomUUID(),
    };
    const issue = () =>
      a.http
        .post('/api/v1/auth/service-accounts/issue')
        .set('Authorization', 'Bearer dev-local')
        .send(body)
        .expect(201);
    const before = (await issue()).body as { refresh_token: string; kid: string };
    await a.app.get(KeyRotationService).rotate();
    await a.http
      .post('/api/v1/auth/service-accounts/token')
      .send({ refresh_token: before.refresh_token })
      .expect(200);
    // The old key no longer signs, so the stored token cannot be reproduced: a new one replaces it.
    const after = (await issue()).body as { refresh_token: string; kid: string };
    expect(after.kid).not.toBe(before.kid);
    expect(after.refresh_token).not.toBe(before.refresh_token);
    await a.http
      .post('/api/v1/auth/service-accounts/token')
      .send({ refresh_token: before.refresh_token })
      .expect(401);
  });

  it('revokes a compromised retired key at once, and refuses to revoke the active key', async () => {
    const rotation = a.app.get(KeyRotationService);
    const user = await createTestUser(a);
    const leaked = decodeProtectedHeader(user.accessToken).kid as string;
    await rotation.rotate();
    await a.http.get('/api/v1/auth/me').set('Authorization', user.authorization).expect(200);
    await expect(rotation.revoke((await rotation.list())[0].kid)).rejects.toThrow(
      /is the active key/,
    );
    expect(await rotation.revoke(leaked)).toEqual({ revoked: leaked, replaced_next: null });
    await a.http.get('/api/v1/auth/me').set('Authorization', user.authorization).expect(401);
    const jwks = await a.http.get('/.well-known/jwks.json').expect(200);
    expect((jwks.body.keys as { kid: string }[]).map((k) => k.kid)).not.toContain(leaked);
    const next = (await rotation.list()).find((k) => k.status === 'next')?.kid as string;
    const replaced = await rotation.revoke(next);
    expect(replaced.replaced_next).not.toBe(next);
    await expect(rotation.revoke('no-such-kid')).rejects.toThrow(/no key 'no-such-kid'/);
  });
});
