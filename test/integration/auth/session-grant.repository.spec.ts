import { randomUUID } from 'node:crypto';
import {
  SessionGrantRepository,
  type PresentedRefreshToken,
} from '../../../src/modules/auth/sessions/session-grant.repository';
import type { RefreshTokenInsert } from '../../../src/modules/auth/users/refresh-token.repository';
import { createTestUser, type TestUser } from '../../support/auth-fixtures';
import { startTestApp, type TestApp } from '../../support/test-app';

const NO_METADATA = {
  fingerprint: null,
  ipHash: null,
  ipMasked: null,
  ipEncrypted: null,
  userAgent: null,
  clientPlatform: null,
  clientBrowser: null,
  clientDevice: null,
  location: null,
};

describe('SessionGrantRepository: a refresh in two statements (real Postgres)', () => {
  let t: TestApp;
  let grants: SessionGrantRepository;

  beforeAll(async () => {
    t = await startTestApp();
    grants = t.app.get(SessionGrantRepository);
  });

  afterAll(async () => {
    await t.close();
  });

  const tokenFor = (user: TestUser, fields: Partial<RefreshTokenInsert> = {}) => ({
    account: `user:${user.userId}`,
    tenantId: user.tenantId,
    scopes: ['conversations:read'],
    tokenHash: `hmac-sha256$${randomUUID()}`,
    jti: randomUUID(),
    kid: 'kid-1',
    fingerprint: null,
    sessionId: user.sessionId,
    issuedAt: new Date(),
    expiresAt: new Date(Date.now() + 60_000),
    ...fields,
  });

  /** Stores the token for its session, as login does; returns what a refresh would present. */
  const store = async (user: TestUser, fields: Partial<RefreshTokenInsert> = {}) => {
    const token = tokenFor(user, fields);
    const recorded = await grants.record(
      {
        id: token.sessionId!,
        userId: user.userId,
        tenantId: user.tenantId,
        refreshJti: token.jti,
        issuedAt: token.issuedAt,
        metadata: NO_METADATA,
      },
      token,
    );
    expect(recorded).toBe(true);
    return token;
  };

  const presenting = (
    token: RefreshTokenInsert,
    fields: Partial<PresentedRefreshToken> = {},
  ): PresentedRefreshToken => ({
    jti: token.jti,
    account: token.account,
    tokenHash: token.tokenHash,
    ...fields,
  });

  /** A refresh's write: rotate `presented` and, if that worked, store a new token for the session. */
  const rotateAndRecord = (user: TestUser, presented: PresentedRefreshToken) => {
    const next = tokenFor(user);
    const outcome = grants.rotateAndRecord(
      presented,
      {
        id: user.sessionId,
        userId: user.userId,
        tenantId: user.tenantId,
        refreshJti: next.jti,
        issuedAt: next.issuedAt,
        metadata: NO_METADATA,
      },
      next,
    );
    return outcome.then((result) => ({ ...result, next }));
  };

  const tokenRow = async (jti: string) =>
    (
      await t.dataSource.query<{ revoked_reason: string | null; session_id: string }[]>(
        'SELECT revoked_reason, session_id FROM service_account_tokens WHERE refresh_jti = $1',
        [jti],
      )
    )[0];

  it('snapshots the token, the user and the memberships without changing anything', async () => {
    const user = await createTestUser(t, { role: 'admin' });
    const token = await store(user);
    const snapshot = await grants.snapshot(token.jti, user.userId);
    expect(snapshot.token).toMatchObject({
      jti: token.jti,
      account: token.account,
      tokenHash: token.tokenHash,
      sessionId: user.sessionId,
      revokedAt: null,
      expired: false,
    });
    expect(snapshot.user).toMatchObject({ id: user.userId, status: 'active' });
    expect(snapshot.memberships).toEqual([{ tenantId: user.tenantId, role: 'admin' }]);
    expect(await tokenRow(token.jti)).toMatchObject({ revoked_reason: null });

    const unknownJti = await grants.snapshot(randomUUID(), user.userId);
    expect(unknownJti).toMatchObject({ token: null, user: { id: user.userId } });
    expect(await grants.snapshot(token.jti, randomUUID())).toMatchObject({
      user: null,
      memberships: [],
    });
  });

  it('rotates for exactly one of many concurrent presenters, and only that one stores a token', async () => {
    const user = await createTestUser(t);
    const token = await store(user);
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, () => rotateAndRecord(user, presenting(token))),
    );
    const winners = outcomes.filter((o) => o.rotated);
    expect(winners).toHaveLength(1);
    expect(winners[0].recorded).toBe(true);
    expect(await tokenRow(winners[0].next.jti)).toMatchObject({ session_id: user.sessionId });
    for (const loser of outcomes.filter((o) => !o.rotated)) {
      expect(loser.recorded).toBe(false);
      expect(await tokenRow(loser.next.jti)).toBeUndefined();
    }
    expect(await tokenRow(token.jti)).toMatchObject({ revoked_reason: 'rotated' });
    const after = (await grants.snapshot(token.jti, user.userId)).token!;
    expect(after).toMatchObject({ revokedReason: 'rotated', expired: false });
    expect(after.revokedAgeSeconds).toBeGreaterThanOrEqual(0);
    const [session] = await t.dataSource.query<{ refresh_jti: string }[]>(
      'SELECT refresh_jti FROM user_sessions WHERE id = $1',
      [user.sessionId],
    );
    expect(session.refresh_jti).toBe(winners[0].next.jti);
  });

  it.each([
    ['a hash of another token', { tokenHash: 'hmac-sha256$other' }],
    ['another account', { account: `user:${randomUUID()}` }],
  ])('neither rotates nor writes when presented with %s', async (_label, fields) => {
    const user = await createTestUser(t);
    const token = await store(user);
    const outcome = await rotateAndRecord(user, presenting(token, fields));
    expect(outcome).toMatchObject({ rotated: false, recorded: false });
    expect(await tokenRow(token.jti)).toMatchObject({ revoked_reason: null });
    expect(await tokenRow(outcome.next.jti)).toBeUndefined();
  });

  it('rotates a reference-era bcrypt row on its jti (its hash never covered the token)', async () => {
    const user = await createTestUser(t);
    const token = await store(user, { tokenHash: '$2b$12$legacyhashvalue' });
    const outcome = await rotateAndRecord(
      user,
      presenting(token, { tokenHash: 'hmac-sha256$presented' }),
    );
    expect(outcome).toMatchObject({ rotated: true, recorded: true });
  });

  it('never rotates an expired token', async () => {
    const user = await createTestUser(t);
    const token = await store(user, {
      issuedAt: new Date(Date.now() - 120_000),
      expiresAt: new Date(Date.now() - 60_000),
    });
    expect((await grants.snapshot(token.jti, user.userId)).token).toMatchObject({
      expired: true,
    });
    expect(await rotateAndRecord(user, presenting(token))).toMatchObject({
      rotated: false,
      recorded: false,
    });
  });

  it('rotates but stores nothing for a session revoked meanwhile', async () => {
    const user = await createTestUser(t);
    const token = await store(user);
    await t.dataSource.query('UPDATE user_sessions SET revoked_at = now() WHERE id = $1', [
      user.sessionId,
    ]);
    const outcome = await rotateAndRecord(user, presenting(token));
    expect(outcome).toMatchObject({ rotated: true, recorded: false });
    expect(await tokenRow(outcome.next.jti)).toBeUndefined();
  });

  it('stores a new session with its token, and writes nothing for a revoked session', async () => {
    const user = await createTestUser(t);
    const fresh = await store(user, { sessionId: randomUUID() });
    expect(await tokenRow(fresh.jti)).toMatchObject({ session_id: fresh.sessionId });
    const session = await t.dataSource.query<{ refresh_jti: string }[]>(
      'SELECT refresh_jti FROM user_sessions WHERE id = $1',
      [fresh.sessionId],
    );
    expect(session).toEqual([{ refresh_jti: fresh.jti }]);

    await t.dataSource.query('UPDATE user_sessions SET revoked_at = now() WHERE id = $1', [
      user.sessionId,
    ]);
    const late = tokenFor(user);
    const recorded = await grants.record(
      {
        id: user.sessionId,
        userId: user.userId,
        tenantId: user.tenantId,
        refreshJti: late.jti,
        issuedAt: late.issuedAt,
        metadata: NO_METADATA,
      },
      late,
    );
    expect(recorded).toBe(false);
    expect(await tokenRow(late.jti)).toBeUndefined();
  });
});
