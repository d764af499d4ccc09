import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SessionRevocationService } from '../../../src/modules/auth';
import { createTestUser } from '../../support/auth-fixtures';
import { newRedisKeyPrefix, startTestApp, type TestApp } from '../../support/test-app';

/** Decision A3 across replicas: a session revoked on one instance is refused by the others. */
describe('session revocation across two instances', () => {
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    const shared = {
      REDIS_KEY_PREFIX: newRedisKeyPrefix(),
      AUTH_KEY_STORAGE_PATH: join(mkdtempSync(join(tmpdir(), 'aa-shared-keys-')), 'keyset.json'),
    };
    a = await startTestApp({ env: shared });
    b = await startTestApp({ env: shared });
  });

  afterAll(async () => {
    await a.close();
    await b.close();
  });

  it('rejects the access token on instance B right after instance A revoked its session', async () => {
    const user = await createTestUser(a);
    // B has just verified and cached the session as active.
    await b.http.get('/api/v1/auth/me').set('Authorization', user.authorization).expect(200);
    await a.http.get('/api/v1/auth/me').set('Authorization', user.authorization).expect(200);

    await a.app
      .get(SessionRevocationService)
      .revokeSession(user.sessionId, 'user_session_manual_revoke', user.userId);
    await new Promise((resolve) => setTimeout(resolve, 50));

    await a.http.get('/api/v1/auth/me').set('Authorization', user.authorization).expect(401);
    const onB = await b.http
      .get('/api/v1/auth/me')
      .set('Authorization', user.authorization)
      .expect(401);
    expect(onB.body.code).toBe('session_revoked');
  });
});
