import { createHmac } from 'node:crypto';
import { AuthMetrics } from '../../../src/modules/auth/auth.metrics';
import { AccountGate } from '../../../src/modules/auth/gate/account-gate.service';
import type { ClientInfo } from '../../../src/modules/auth/client/client-info';
import {
  RefreshTokenRepository,
  type RefreshTokenRecord,
} from '../../../src/modules/auth/users/refresh-token.repository';
import {
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
import { UserRepository } from '../../../src/modules/auth/users/user.repository';
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
      users: mocks.get(UserRepository),
      gate: mocks.get(AccountGate),
      issuer: mocks.get(SessionIssuer),
      revocation: mocks.get(SessionRevocationService),
      metrics: mocks.value(AuthMetrics),
    };
    t.tokens.verify.mockResolvedValue(claims());
    t.refreshTokens.findByJti.mockResolvedValue(record());
    t.refreshTokens.revokeIfActive.mockResolvedValue(true);
    t.users.findById.mockResolvedValue({
      id: USER_ID,
      email: 'ada@example.com',
      passwordHash: 'x',
      passwordVersion: 'v2',
      status: 'active',
      emailVerifiedAt: new Date('2024-01-01'),
    });
    t.gate.resolveMembership.mockResolvedValue({ tenantId: TENANT_ID, role: 'member' });
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
    expect(t.refreshTokens.findByJti).toHaveBeenCalledWith(JTI);
    expect(t.refreshTokens.revokeIfActive).toHaveBeenCalledWith(JTI, 'rotated');
    expect(t.gate.resolveMembership).toHaveBeenCalledWith(USER_ID, TENANT_ID, false);
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
    );
    expect(t.revocation.revokeSession).not.toHaveBeenCalled();
    expect(await outcomes(t)).toEqual({ rotated: 1, grace: 0, reuse: 0, rejected: 0 });
  });

  it('lower-cases the subject and the session id it keeps', async () => {
    const t = setup();
    t.tokens.verify.mockResolvedValue(
      claims({ sub: `user:${USER_ID.toUpperCase()}`, sid: SESSION_ID.toUpperCase() }),
    );
    await t.sut.refreshAccessToken(TOKEN, CLIENT);
    expect(t.users.findById).toHaveBeenCalledWith(USER_ID);
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
    expect(t.refreshTokens.findByJti).not.toHaveBeenCalled();
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
    expect(t.refreshTokens.findByJti).not.toHaveBeenCalled();
  });

  it.each([
    ['no stored row', null],
    ['a row of another account', record({ account: 'user:00000000-0000-4000-8000-000000000000' })],
    ['a row whose hash is of another token', record({ tokenHash: storedHash('other.token.x') })],
    ['a row with an unknown hash scheme', record({ tokenHash: 'sha1$abc' })],
  ])('refuses %s without rotating anything', async (_label, stored) => {
    const t = setup();
    t.refreshTokens.findByJti.mockResolvedValue(stored);
    expect(await failureOf(t.sut.refreshAccessToken(TOKEN, CLIENT))).toEqual({
      status: 401,
      code: 'invalid_refresh_token',
      message: 'Refresh token has been revoked or expired.',
    });
    expect(t.refreshTokens.revokeIfActive).not.toHaveBeenCalled();
    expect(t.issuer.issue).not.toHaveBeenCalled();
  });

  it('accepts a reference (bcrypt) row on its jti and signature alone', async () => {
    const t = setup();
    t.refreshTokens.findByJti.mockResolvedValue(record({ tokenHash: '$2b$12$legacyhashvalue' }));
    await expect(t.sut.refreshAccessToken(TOKEN, CLIENT)).resolves.toBe(ISSUED);
    expect(t.refreshTokens.revokeIfActive).toHaveBeenCalledWith(JTI, 'rotated');
  });

  it.each([0, 10])(
    'gives a token rotated %is ago (within the grace window) a fresh pair, no second revoke',
    async (age) => {
      const t = setup();
      t.refreshTokens.findByJti.mockResolvedValue(rotated(age));
      await expect(t.sut.refreshAccessToken(TOKEN, CLIENT)).resolves.toBe(ISSUED);
      expect(t.refreshTokens.revokeIfActive).not.toHaveBeenCalled();
      expect(t.issuer.issue).toHaveBeenCalledWith(
        expect.objectContaining({ sessionId: SESSION_ID }),
        CLIENT,
        'refresh',
      );
      expect(await outcomes(t)).toEqual({ rotated: 0, grace: 1, reuse: 0, rejected: 0 });
    },
  );

  it('judges a token another request rotated a moment ago as rotated (race of two tabs)', async () => {
    const t = setup();
    t.refreshTokens.revokeIfActive.mockResolvedValue(false);
    t.refreshTokens.findByJti.mockResolvedValueOnce(record()).mockResolvedValueOnce(rotated(1));
    await expect(t.sut.refreshAccessToken(TOKEN, CLIENT)).resolves.toBe(ISSUED);
    expect(t.refreshTokens.findByJti).toHaveBeenCalledTimes(2);
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
      t.refreshTokens.findByJti.mockResolvedValue(rotated(age));
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
      expect(t.users.findById).not.toHaveBeenCalled();
      // Reuse is counted as reuse only, never also as "rejected".
      expect(await outcomes(t)).toEqual({ rotated: 0, grace: 0, reuse: 1, rejected: 0 });
    },
  );

  it('revokes the session named by the token when the row has none; skips a malformed one', async () => {
    const t = setup();
    const otherSession = 'd4e5f6a7-b8c9-4d0e-9f10-223344556677';
    t.tokens.verify.mockResolvedValue(claims({ sid: otherSession }));
    t.refreshTokens.findByJti.mockResolvedValue(rotated(60, { sessionId: null }));
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
    t.refreshTokens.findByJti.mockResolvedValue(stored);
    expect(await failureOf(t.sut.refreshAccessToken(TOKEN, CLIENT))).toEqual({
      status: 401,
      code: 'invalid_refresh_token',
      message: 'Refresh token has been revoked or expired.',
    });
    expect(t.refreshTokens.revokeIfActive).not.toHaveBeenCalled();
    expect(t.revocation.revokeSession).not.toHaveBeenCalled();
    expect(await outcomes(t)).toEqual({ rotated: 0, grace: 0, reuse: 0, rejected: 1 });
  });

  it('refuses a user deleted since the token was issued (401 user_not_found)', async () => {
    const t = setup();
    t.users.findById.mockResolvedValue(null);
    expect(await failureOf(t.sut.refreshAccessToken(TOKEN, CLIENT))).toEqual({
      status: 401,
      code: 'user_not_found',
      message: 'Unknown user.',
    });
    expect(t.issuer.issue).not.toHaveBeenCalled();
  });

  it('re-checks membership and account state on every refresh', async () => {
    const t = setup();
    const refusal = new Error('disabled');
    t.gate.assertCanSignIn.mockRejectedValue(refusal);
    await expect(t.sut.refreshAccessToken(TOKEN, CLIENT)).rejects.toBe(refusal);
    expect(t.issuer.issue).not.toHaveBeenCalled();
    expect(await outcomes(t)).toMatchObject({ rotated: 0, rejected: 1 });
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
