import { randomUUID } from 'node:crypto';
import {
  EmailVerificationTokens,
  PasswordResetTokens,
} from '../../../src/modules/auth/email/token-stores';
import { SessionGrantRepository } from '../../../src/modules/auth/sessions/session-grant.repository';
import {
  RefreshTokenRepository,
  type RefreshTokenInsert,
} from '../../../src/modules/auth/users/refresh-token.repository';
import { createTestUser } from '../../support/auth-fixtures';
import { startTestApp, type TestApp } from '../../support/test-app';

const client = { ip: '203.0.113.9', userAgent: 'jest' };

/** Stores a refresh row for the user's session the way login does (session + token, one statement). */
async function storeRefreshToken(t: TestApp, token: RefreshTokenInsert, userId: string) {
  const stored = await t.app.get(SessionGrantRepository).record(
    {
      id: token.sessionId!,
      userId,
      tenantId: token.tenantId!,
      refreshJti: token.jti,
      issuedAt: token.issuedAt,
      metadata: {
        fingerprint: null,
        ipHash: null,
        ipMasked: null,
        ipEncrypted: null,
        userAgent: null,
        clientPlatform: null,
        clientBrowser: null,
        clientDevice: null,
        location: null,
      },
    },
    token,
  );
  expect(stored).toBe(true);
}

describe('one-time email tokens on Redis (decision A6)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { PASSWORD_RESET_TOKEN_TTL_MINUTES: '30' } });
  });

  afterAll(async () => {
    await t.close();
  });

  const user = () => ({ id: randomUUID(), email: `${randomUUID()}@example.test` });

  it('stores only a hash of the secret, with the configured TTL', async () => {
    const store = t.app.get(PasswordResetTokens);
    const minted = await store.mint(user(), client);
    const [tokenId, secret] = minted.token.split('.');
    const raw = (await t.redis.client.get(`auth:pwdreset:${tokenId}`))!;
    expect(raw).not.toContain(secret);
    expect(JSON.parse(raw)).toMatchObject({
      token_id: tokenId,
      fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const ttl = await t.redis.client.ttl(`auth:pwdreset:${tokenId}`);
    expect(ttl).toBeGreaterThan(29 * 60);
    expect(ttl).toBeLessThanOrEqual(30 * 60);
  });

  it('is consumed exactly once under concurrency', async () => {
    const store = t.app.get(EmailVerificationTokens);
    const minted = await store.mint(user(), client);
    const record = (await store.peek(store.parse(minted.token)!))!;
    const results = await Promise.all(Array.from({ length: 10 }, () => store.consume(record)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await store.peek(store.parse(minted.token)!)).toBeNull();
  });

  it('refuses a wrong secret, a replaced token, an invalidated user and an expired record', async () => {
    const store = t.app.get(PasswordResetTokens);
    const owner = user();
    const first = await store.mint(owner, client);
    const [id] = first.token.split('.');
    expect(await store.peek({ tokenId: id, secret: 'f'.repeat(64) })).toBeNull();
    expect(await store.peek(store.parse(first.token)!)).not.toBeNull();

    const second = await store.mint(owner, client);
    expect(await store.peek(store.parse(first.token)!)).toBeNull();
    expect(await t.redis.client.exists(`auth:pwdreset:${id}`)).toBe(0);
    expect(await store.peek(store.parse(second.token)!)).not.toBeNull();

    await store.invalidateUser(owner.id);
    expect(await store.peek(store.parse(second.token)!)).toBeNull();

    const third = await store.mint(owner, client);
    const [thirdId] = third.token.split('.');
    const record = JSON.parse((await t.redis.client.get(`auth:pwdreset:${thirdId}`))!);
    record.expires_at = new Date(Date.now() - 1000).toISOString();
    await t.redis.client.set(`auth:pwdreset:${thirdId}`, JSON.stringify(record), 'KEEPTTL');
    expect(await store.peek(store.parse(third.token)!)).toBeNull();
  });

  it('keeps verification and reset tokens apart', async () => {
    const owner = user();
    const reset = await t.app.get(PasswordResetTokens).mint(owner, client);
    const verify = t.app.get(EmailVerificationTokens);
    expect(await verify.peek(verify.parse(reset.token)!)).toBeNull();
  });
});

describe('refresh rotation is atomic (decision A2)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  it('revokes an active token for exactly one of many concurrent callers', async () => {
    const user = await createTestUser(t);
    const repository = t.app.get(RefreshTokenRepository);
    const jti = randomUUID();
    await storeRefreshToken(
      t,
      {
        account: `user:${user.userId}`,
        tenantId: user.tenantId,
        scopes: ['tools:read'],
        tokenHash: 'hmac-sha256$00',
        jti,
        kid: 'kid',
        fingerprint: null,
        sessionId: user.sessionId,
        issuedAt: new Date(),
        expiresAt: new Date(Date.now() + 60_000),
      },
      user.userId,
    );
    const results = await Promise.all(
      Array.from({ length: 10 }, () => repository.revokeIfActive(jti, 'rotated')),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const record = (await repository.findByJti(jti))!;
    expect(record).toMatchObject({ revokedReason: 'rotated', expired: false });
    expect(record.revokedAgeSeconds).toBeGreaterThanOrEqual(0);
    expect(record.revokedAgeSeconds).toBeLessThan(10);
  });

  it('never rotates an expired token', async () => {
    const user = await createTestUser(t);
    const repository = t.app.get(RefreshTokenRepository);
    const jti = randomUUID();
    await storeRefreshToken(
      t,
      {
        account: `user:${user.userId}`,
        tenantId: user.tenantId,
        scopes: [],
        tokenHash: 'hmac-sha256$00',
        jti,
        kid: 'kid',
        fingerprint: null,
        sessionId: user.sessionId,
        issuedAt: new Date(Date.now() - 120_000),
        expiresAt: new Date(Date.now() - 60_000),
      },
      user.userId,
    );
    expect(await repository.revokeIfActive(jti, 'rotated')).toBe(false);
    expect((await repository.findByJti(jti))!.expired).toBe(true);
  });
});
