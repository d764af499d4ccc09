import { createHmac } from 'node:crypto';
import { AuthMetrics } from '../../../src/modules/auth/auth.metrics';
import { AccountGate } from '../../../src/modules/auth/gate/account-gate.service';
import type { ClientInfo } from '../../../src/modules/auth/client/client-info';
import {
  RefreshTokenRepository,
  type RefreshTokenRecord,
} from '../../../src/modules/auth/users/refresh-token.repository';
import {
  RotationLostError,
  SessionIssuer,
  SessionNoLongerActiveError,
  type IssuedSession,
} from '../../../src/modules/auth/sessions/session-issuer.service';
import { SessionRevocationService } from '../../../src/modules/auth/sessions/session-revocation.service';
import { TokenRefreshService } from '../../../src/modules/auth/sessions/token-refresh.service';
import {
  SigningUnavailableError,
  TokenService,
  type TokenClaims,
} from '../../../src/modules/auth/tokens/token.service';
import {
  SessionGrantRepository,
  type RefreshSnapshot,
} from '../../../src/modules/auth/sessions/session-grant.repository';
import { metricValue, newTestService } from '../../support/service-test';

const USER_ID = '6f1c2a4e-8b3d-4c5e-9f70-1a2b3c4d5e6f';
const TENANT_ID = '0a7e9c1d-2b3f-4a5c-8d6e-7f8091a2b3c4';
const SESSION_ID = 'c3d4e5f6-a7b8-4c9d-8e0f-112233445566';
const JTI = 'jti-1';
const TOKEN = 'header.payload.signature';
const PEPPER = 'unit-test-refresh-pepper';
const CLIENT: ClientInfo = { ip: '198.51.100.4', userAgent: 'jest' };
const ISSUED = { sessionId: SESSION_ID } as IssuedSession;

/** The stored form of a refresh token (`hmac-sha256$<hex>` of the token, keyed by the pepper). */
const storedHash = (token: string) =>
  `hmac-sha256$${createHmac('sha256', PEPPER).update(token, 'utf8').digest('hex')}`;

const claims = (fields: Partial<TokenClaims> = {}): TokenClaims => ({
  sub: `user:${USER_ID}`,
  token_use: 'refresh',
  tenant_id: TENANT_ID,
  jti: JTI,
  sid: SESSION_ID,
  ...fields,
});

const record = (fields: Partial<RefreshTokenRecord> = {}): RefreshTokenRecord => ({
  account: `user:${USER_ID}`,
  tenantId: TENANT_ID,
  tokenHash: storedHash(TOKEN),
  jti: JTI,
  sessionId: SESSION_ID,
  expiresAt: new Date(Date.now() + 86_400_000),
  revokedAt: null,
  revokedReason: null,
  revokedAgeSeconds: null,
  expired: false,
  ...fields,
});

const USER = {
  id: USER_ID,
  email: 'ada@example.com',
  passwordHash: 'x',
  passwordVersion: 'v2',
  status: 'active' as const,
  emailVerifiedAt: new Date('2024-01-01'),
};

/** What the first (read-only) statement reads: by default, an active token. */
const snapshot = (fields: Partial<RefreshSnapshot> = {}): RefreshSnapshot => ({
  token: record(),
  user: USER,
  memberships: [{ tenantId: TENANT_ID, role: 'member' }],
  ...fields,
});

/** A snapshot of a token that is not active (revoked, expired, unknown, foreign). */
const notRotated = (token: RefreshTokenRecord | null) => snapshot({ token });

/** What the issuer is asked to rotate along with storing the new pair. */
const PRESENTED = { jti: JTI, account: `user:${USER_ID}`, tokenHash: storedHash(TOKEN) };

const rotated = (ageSeconds: number | null, fields: Partial<RefreshTokenRecord> = {}) =>
  record({
    revokedAt: new Date(),
    revokedReason: 'rotated',
    revokedAgeSeconds: ageSeconds,
    ...fields,
  });

async function failureOf(promise: Promise<unknown>) {
  const error = (await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (caught: unknown) => caught,
  )) as { getStatus(): number; code: string; message: string };
  return { status: error.getStatus(), code: error.code, message: error.message };
}

describe('TokenRefreshService: rotation, grace window and reuse detection', () => {
  const setup = () => {
    const { sut, mocks } = newTestService(TokenRefreshService, {
      env: { AUTH_REFRESH_TOKEN_PEPPER: PEPPER, AUTH_REFRESH_REUSE_GRACE_SECONDS: '10' },
    });
    const t = {
      sut,
      tokens: mocks.get(TokenService),
      refreshTokens: mocks.get(RefreshTokenRepository),
      grants: mocks.get(SessionGrantRepository),
      gate: mocks.get(AccountGate),
      issuer: mocks.get(SessionIssuer),
      revocation: mocks.get(SessionRevocationService),
      metrics: mocks.value(AuthMetrics),
    };
    t.tokens.verify.mockResolvedValue(claims());
    t.grants.snapshot.mockResolvedValue(snapshot());
    t.issuer.issue.mockResolvedValue(ISSUED);
    return t;
  };
  type Setup = ReturnType<typeof setup>;
  const outcomes = async (t: Setup) => ({
    rotated: await metricValue(t.metrics.refreshIssued, { result: 'rotated' }),
    grace: await metricValue(t.metrics.refreshIssued, { result: 'grace' }),
    reuse: await metricValue(t.metrics.refreshIssued, { result: 'reuse_detected' }),
    rejected: await metricValue(t.metrics.refreshIssued, { result: 'rejected' }),
  });

  it('rotates an active token: one conditional revoke, then a pair in the same session', async () => {
    const t = setup();
    await expect(t.sut.refreshAccessToken(TOKEN, CLIENT)).resolves.toBe(ISSUED);
    expect(t.tokens.verify).toHaveBeenCalledWith(TOKEN, { requireAudience: false });
    expect(t.grants.snapshot).toHaveBeenCalledWith(JTI, USER_ID);
    // The snapshot is all it reads; the issuer's write rotates the presented token.
    expect(t.refreshTokens.findByJti).not.toHaveBeenCalled();
    expect(t.gate.assertCanSignIn).toHaveBeenCalledWith(
      expect.objectContaining({ id: USER_ID }),
      TENANT_ID,
      CLIENT,
    );
    expect(t.issuer.issue).toHaveBeenCalledWith(
      {
        userId: USER_ID,
        tenantId: TENANT_ID,
        role: 'member',
        emailVerified: true,
        sessionId: SESSION_ID,
      },
      CLIENT,
      'refresh',
      PRESENTED,
    );
    expect(t.refreshTokens.revokeIfActive).not.toHaveBeenCalled();
    expect(t.revocation.revokeSession).not.toHaveBeenCalled();
    expect(await outcomes(t)).toEqual({ rotated: 1, grace: 0, reuse: 0, rejected: 0 });
  });

  it('lower-cases the subject and the session id it keeps', async () => {
    const t = setup();
    t.tokens.verify.mockResolvedValue(
      claims({ sub: `user:${USER_ID.toUpperCase()}`, sid: SESSION_ID.toUpperCase() }),
    );
    await t.sut.refreshAccessToken(TOKEN, CLIENT);
    expect(t.grants.snapshot).toHaveBeenCalledWith(JTI, USER_ID);
    expect(t.issuer.issue.mock.calls[0][3]).toEqual(PRESENTED);
    expect(t.issuer.issue.mock.calls[0][0].sessionId).toBe(SESSION_ID);
  });

  it('opens a new session id when the token carries no usable sid', async () => {
    const t = setup();
    t.tokens.verify.mockResolvedValue(claims({ sid: 'not-a-uuid' }));
    await t.sut.refreshAccessToken(TOKEN, CLIENT);
    const sessionId = t.issuer.issue.mock.calls[0][0].sessionId;
    expect(sessionId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(sessionId).not.toBe(SESSION_ID);
  });

  it('answers 401 when the signature, expiry or issuer check fails', async () => {
    const t = setup();
    t.tokens.verify.mockRejectedValue(new Error('expired'));
    expect(await failureOf(t.sut.refreshAccessToken(TOKEN, CLIENT))).toEqual({
      status: 401,
      code: 'invalid_refresh_token',
      message: 'Refresh token verification failed.',
    });
    expect(t.grants.snapshot).not.toHaveBeenCalled();
    expect(await outcomes(t)).toEqual({ rotated: 0, grace: 0, reuse: 0, rejected: 1 });
  });

  it.each([
    [{ token_use: 'access' }, 'Token is not a refresh token.'],
    [{ sub: 'service-account:billing-worker' }, 'Refresh token subject is malformed.'],
    [{ sub: 'user:not-a-uuid' }, 'Refresh token subject is malformed.'],
    [{ tenant_id: '' }, 'Refresh token missing tenant identifier.'],
    [{ tenant_id: 42 }, 'Refresh token missing tenant identifier.'],
    [{ jti: '' }, 'Refresh token missing jti claim.'],
  ] as [Partial<TokenClaims>, string][])('refuses claims %j: "%s"', async (fields, message) => {
    const t = setup();
    t.tokens.verify.mockResolvedValue(claims(fields));
    expect(await failureOf(t.sut.refreshAccessToken(TOKEN, CLIENT))).toEqual({
      status: 401,
      code: 'invalid_refresh_token',
      message,
    });
    expect(t.grants.snapshot).not.toHaveBeenCalled();
  });

  it.each([
    ['no stored row', null],
    ['a row of another account', record({ account: 'user:00000000-0000-4000-8000-000000000000' })],
    ['a row whose hash is of another token', record({ tokenHash: storedHash('other.token.x') })],
    ['a row with an unknown hash scheme', record({ tokenHash: 'sha1$abc' })],
  ])('refuses %s without rotating anything', async (_label, stored) => {
    const t = setup();
    t.grants.snapshot.mockResolvedValue(notRotated(stored));
    expect(await failureOf(t.sut.refreshAccessToken(TOKEN, CLIENT))).toEqual({
      status: 401,
      code: 'invalid_refresh_token',
      message: 'Refresh token has been revoked or expired.',
    });
    expect(t.refreshTokens.findByJti).not.toHaveBeenCalled();
    expect(t.issuer.issue).not.toHaveBeenCalled();
  });

  it('accepts a reference (bcrypt) row on its jti and signature alone', async () => {
    const t = setup();
    t.grants.snapshot.mockResolvedValue(
      snapshot({ token: record({ tokenHash: '$2b$12$legacyhashvalue' }) }),
    );
    await expect(t.sut.refreshAccessToken(TOKEN, CLIENT)).resolves.toBe(ISSUED);
    expect(t.issuer.issue.mock.calls[0][3]).toEqual(PRESENTED);
    expect(await outcomes(t)).toMatchObject({ rotated: 1 });
  });

  it.each([0, 10])(
    'gives a token rotated %is ago (within the grace window) a fresh pair, no second revoke',
    async (age) => {
      const t = setup();
      t.grants.snapshot.mockResolvedValue(notRotated(rotated(age)));
      await expect(t.sut.refreshAccessToken(TOKEN, CLIENT)).resolves.toBe(ISSUED);
      expect(t.refreshTokens.findByJti).not.toHaveBeenCalled();
      // Already rotated: the new pair is stored without a second rotation.
      expect(t.issuer.issue).toHaveBeenCalledWith(
        expect.objectContaining({ sessionId: SESSION_ID }),
        CLIENT,
        'refresh',
        undefined,
      );
      expect(await outcomes(t)).toEqual({ rotated: 0, grace: 1, reuse: 0, rejected: 0 });
    },
  );

  it('judges a token another request rotated a moment ago as rotated (race of two tabs)', async () => {
    const t = setup();
    // The snapshot showed it active, but another request's write rotated it first.
    t.issuer.issue.mockRejectedValueOnce(new RotationLostError());
    t.refreshTokens.findByJti.mockResolvedValueOnce(rotated(1));
    await expect(t.sut.refreshAccessToken(TOKEN, CLIENT)).resolves.toBe(ISSUED);
    expect(t.refreshTokens.findByJti).toHaveBeenCalledWith(JTI);
    expect(t.issuer.issue).toHaveBeenCalledTimes(2);
    expect(t.issuer.issue.mock.calls[0][3]).toEqual(PRESENTED);
    expect(t.issuer.issue.mock.calls[1][3]).toBeUndefined();
    expect(await outcomes(t)).toEqual({ rotated: 0, grace: 1, reuse: 0, rejected: 0 });
  });

  it.each([
    ['11s after rotation', 11],
    ['an unknown revocation age', null],
  ])(
    'treats a rotated token presented %s as theft: revokes the whole session, 401 refresh_reused',
    async (_label, age) => {
      const t = setup();
      // The row's session wins over the token's sid claim.
      t.tokens.verify.mockResolvedValue(claims({ sid: 'e5f6a7b8-c9d0-4e1f-8a2b-334455667788' }));
      t.grants.snapshot.mockResolvedValue(notRotated(rotated(age)));
      expect(await failureOf(t.sut.refreshAccessToken(TOKEN, CLIENT))).toEqual({
        status: 401,
        code: 'refresh_reused',
        message: 'Refresh token has been revoked or expired.',
      });
      expect(t.revocation.revokeSession).toHaveBeenCalledWith(
        SESSION_ID,
        'refresh_token_reuse',
        USER_ID,
        TENANT_ID,
      );
      expect(t.issuer.issue).not.toHaveBeenCalled();
      expect(t.gate.assertCanSignIn).not.toHaveBeenCalled();
      // Reuse is counted as reuse only, never also as "rejected".
      expect(await outcomes(t)).toEqual({ rotated: 0, grace: 0, reuse: 1, rejected: 0 });
    },
  );

  it('revokes the session named by the token when the row has none; skips a malformed one', async () => {
    const t = setup();
    const otherSession = 'd4e5f6a7-b8c9-4d0e-9f10-223344556677';
    t.tokens.verify.mockResolvedValue(claims({ sid: otherSession }));
    t.grants.snapshot.mockResolvedValue(notRotated(rotated(60, { sessionId: null })));
    expect((await failureOf(t.sut.refreshAccessToken(TOKEN, CLIENT))).code).toBe('refresh_reused');
    expect(t.revocation.revokeSession).toHaveBeenCalledWith(
      otherSession,
      'refresh_token_reuse',
      USER_ID,
      TENANT_ID,
    );

    t.revocation.revokeSession.mockClear();
    t.tokens.verify.mockResolvedValue(claims({ sid: 'garbage' }));
    expect((await failureOf(t.sut.refreshAccessToken(TOKEN, CLIENT))).code).toBe('refresh_reused');
    expect(t.revocation.revokeSession).not.toHaveBeenCalled();
  });

  it.each([
    [
      'revoked by logout',
      record({ revokedAt: new Date(), revokedReason: 'logout', revokedAgeSeconds: 1 }),
    ],
    ['expired and never rotated', record({ expired: true })],
    ['rotated and since expired', rotated(1, { expired: true })],
  ])('refuses a token %s with a plain 401 and no session revocation', async (_label, stored) => {
    const t = setup();
    t.grants.snapshot.mockResolvedValue(notRotated(stored));
    expect(await failureOf(t.sut.refreshAccessToken(TOKEN, CLIENT))).toEqual({
      status: 401,
      code: 'invalid_refresh_token',
      message: 'Refresh token has been revoked or expired.',
    });
    expect(t.refreshTokens.findByJti).not.toHaveBeenCalled();
    expect(t.revocation.revokeSession).not.toHaveBeenCalled();
    expect(await outcomes(t)).toEqual({ rotated: 0, grace: 0, reuse: 0, rejected: 1 });
  });

  it('refuses a user deleted since the token was issued (401 user_not_found)', async () => {
    const t = setup();
    t.grants.snapshot.mockResolvedValue(snapshot({ user: null }));
    expect(await failureOf(t.sut.refreshAccessToken(TOKEN, CLIENT))).toEqual({
      status: 401,
      code: 'user_not_found',
      message: 'Unknown user.',
    });
    expect(t.issuer.issue).not.toHaveBeenCalled();
    // As the reference did (rotate first), a refusal still consumes the presented token.
    expect(t.refreshTokens.revokeIfActive).toHaveBeenCalledWith(JTI, 'rotated');
  });

  it.each([
    ['no membership left', [], 'User is not assigned to any tenant.'],
    [
      'only another tenant',
      [{ tenantId: 'another', role: 'owner' }],
      'User is not a member of the requested tenant.',
    ],
  ])('refuses a user with %s (401, as login words it)', async (_label, memberships, message) => {
    const t = setup();
    t.grants.snapshot.mockResolvedValue(snapshot({ memberships }));
    expect(await failureOf(t.sut.refreshAccessToken(TOKEN, CLIENT))).toEqual({
      status: 401,
      code: 'tenant_membership_missing',
      message,
    });
    expect(t.issuer.issue).not.toHaveBeenCalled();
    expect(t.refreshTokens.revokeIfActive).toHaveBeenCalledWith(JTI, 'rotated');
  });

  it('uses the role of the token tenant among several memberships', async () => {
    const t = setup();
    t.grants.snapshot.mockResolvedValue(
      snapshot({
        memberships: [
          { tenantId: 'older-tenant', role: 'owner' },
          { tenantId: TENANT_ID, role: 'viewer' },
        ],
      }),
    );
    await t.sut.refreshAccessToken(TOKEN, CLIENT);
    expect(t.issuer.issue.mock.calls[0][0]).toMatchObject({ tenantId: TENANT_ID, role: 'viewer' });
  });

  it('re-checks membership and account state on every refresh', async () => {
    const t = setup();
    const refusal = new Error('disabled');
    t.gate.assertCanSignIn.mockRejectedValue(refusal);
    await expect(t.sut.refreshAccessToken(TOKEN, CLIENT)).rejects.toBe(refusal);
    expect(t.issuer.issue).not.toHaveBeenCalled();
    expect(t.refreshTokens.revokeIfActive).toHaveBeenCalledWith(JTI, 'rotated');
    expect(await outcomes(t)).toMatchObject({ rotated: 0, rejected: 1 });
  });

  it('refuses a disabled user within the grace window without revoking anything again', async () => {
    const t = setup();
    t.grants.snapshot.mockResolvedValue(notRotated(rotated(1)));
    t.gate.assertCanSignIn.mockRejectedValue(new Error('disabled'));
    await expect(t.sut.refreshAccessToken(TOKEN, CLIENT)).rejects.toThrow('disabled');
    expect(t.refreshTokens.revokeIfActive).not.toHaveBeenCalled();
  });

  it('maps a session revoked meanwhile to 401 and a missing signing key to 500', async () => {
    const t = setup();
    t.issuer.issue.mockRejectedValueOnce(new SessionNoLongerActiveError());
    expect(await failureOf(t.sut.refreshAccessToken(TOKEN, CLIENT))).toMatchObject({
      status: 401,
      code: 'invalid_refresh_token',
    });
    t.issuer.issue.mockRejectedValueOnce(new SigningUnavailableError());
    expect(await failureOf(t.sut.refreshAccessToken(TOKEN, CLIENT))).toMatchObject({
      status: 500,
      code: 'signing_unavailable',
    });
  });
});
