import { randomUUID } from 'node:crypto';
import { UserAccountService } from '../../../src/modules/auth/accounts/user-account.service';
import { userAccessClaims } from '../../../src/modules/auth/tokens/user-claims';
import { createTestUser, type TestUser } from '../../support/auth-fixtures';
import type { StripeFake } from '../../support/fakes';
import { expectErrorEnvelope } from '../../support/robustness/envelope';
import {
  b64url,
  flipSignatureByte,
  forgeKit,
  hs256,
  publicKeySecrets,
  replacePayload,
  signRawHeader,
  signWith,
  unsignedToken,
  type ForgeKit,
} from '../../support/robustness/forged-tokens';
import { startTestApp, type TestApp } from '../../support/test-app';
import { createPasswordUser, FAST_AUTH_ENV, loginAs } from '../auth/auth-e2e-helpers';
import { billingEnv, startBillingStripeFake } from '../billing/billing-kit';

/**
 * Issue 10, token tamper matrix: every way of bending a bearer token (algorithm, key, kid and
 * header tricks, signature, claims, time, token kind, session state, framing) is a 401 in the
 * error envelope with `WWW-Authenticate: Bearer` on each protected route, and says nothing about
 * the account. The untampered token passes on the same routes, so the matrix can fail.
 */
interface Ctx {
  t: TestApp;
  kit: ForgeKit;
  user: TestUser;
  /** Authentic access claims of `user`, valid for ten minutes from now. */
  claims(extra?: Record<string, unknown>): Record<string, unknown>;
  secrets: Record<string, Uint8Array>;
  refreshToken: string;
  revoked: TestUser;
  disabled: TestUser;
}

const now = () => Math.floor(Date.now() / 1000);

type Build = (ctx: Ctx) => Promise<string | null> | string | null;

const bearer = (token: string) => `Bearer ${token}`;
const valid = (ctx: Ctx) => signWith(ctx.kit, ctx.claims());
const without = (claims: Record<string, unknown>, ...names: string[]) =>
  Object.fromEntries(Object.entries(claims).filter(([name]) => !names.includes(name)));

const CASES: [string, Build][] = [
  // Algorithm and key confusion
  ...['none', 'None', 'NONE', 'nOnE'].map((alg): [string, Build] => [
    `alg "${alg}" without a signature`,
    (ctx) => bearer(unsignedToken({ alg, typ: 'JWT', kid: ctx.kit.kid }, ctx.claims())),
  ]),
  [
    'alg "none" keeping the authentic signature',
    async (ctx) => {
      const signature = (await valid(ctx)).split('.')[2];
      return bearer(unsignedToken({ alg: 'none', kid: ctx.kit.kid }, ctx.claims(), signature));
    },
  ],
  ...['the JWK JSON', 'the raw x bytes', 'the SPKI PEM'].map((form): [string, Build] => [
    `HS256 signed with ${form} of the public key`,
    (ctx) => hs256(ctx.kit, ctx.claims(), ctx.secrets[form]).then(bearer),
  ]),
  [
    'alg RS256 in the header over an EdDSA signature',
    async (ctx) => {
      const [, payload, signature] = (await valid(ctx)).split('.');
      return bearer(
        `${b64url({ alg: 'RS256', kid: ctx.kit.kid, typ: 'JWT' })}.${payload}.${signature}`,
      );
    },
  ],
  [
    "the attacker's own key under the real kid",
    (ctx) => signWith(ctx.kit, ctx.claims(), {}, ctx.kit.attacker.privateKey).then(bearer),
  ],
  [
    "an embedded jwk header with the attacker's key",
    (ctx) =>
      signWith(
        ctx.kit,
        ctx.claims(),
        { jwk: ctx.kit.attacker.publicJwk, kid: 'attacker' },
        ctx.kit.attacker.privateKey,
      ).then(bearer),
  ],
  [
    "a jku header pointing at the attacker's JWKS",
    (ctx) =>
      signWith(
        ctx.kit,
        ctx.claims(),
        { jku: 'http://127.0.0.1:9/.well-known/jwks.json', kid: 'attacker' },
        ctx.kit.attacker.privateKey,
      ).then(bearer),
  ],
  [
    "an x5u header with the attacker's key under the real kid",
    (ctx) =>
      signWith(
        ctx.kit,
        ctx.claims(),
        { x5u: 'http://127.0.0.1:9/cert.pem' },
        ctx.kit.attacker.privateKey,
      ).then(bearer),
  ],
  [
    'a crit header the verifier does not understand (real key)',
    (ctx) =>
      bearer(
        signRawHeader(
          ctx.kit,
          { alg: 'EdDSA', kid: ctx.kit.kid, typ: 'JWT', crit: ['x-evil'], 'x-evil': true },
          ctx.claims(),
        ),
      ),
  ],
  // kid
  ...(
    [
      ['an unknown kid', 'ed25519-000000000000'],
      ['a path-traversal kid', '../../../../etc/passwd'],
      ['a kid naming the keyset file', '../keyset.json'],
      ['a kid with a NUL', 'ed25519\u0000'],
      ['an empty kid', ''],
      ['a numeric kid', 12345],
      ['a 2 KB kid', 'k'.repeat(2048)],
    ] as [string, unknown][]
  ).map(([label, kid]): [string, Build] => [
    `${label} (real key)`,
    (ctx) => bearer(signRawHeader(ctx.kit, { alg: 'EdDSA', typ: 'JWT', kid }, ctx.claims())),
  ]),
  [
    'no kid at all (real key)',
    (ctx) => signWith(ctx.kit, ctx.claims(), { kid: undefined }).then(bearer),
  ],
  // Signature and payload
  [
    'the first signature byte flipped',
    async (ctx) => bearer(flipSignatureByte(await valid(ctx), 0)),
  ],
  [
    'the last signature byte flipped',
    async (ctx) => bearer(flipSignatureByte(await valid(ctx), 63)),
  ],
  [
    'the signature removed',
    async (ctx) => bearer(`${(await valid(ctx)).split('.').slice(0, 2).join('.')}.`),
  ],
  [
    'the payload changed to another tenant without re-signing',
    async (ctx) =>
      bearer(replacePayload(await valid(ctx), (c) => ({ ...c, tenant_id: randomUUID() }))),
  ],
  [
    'the payload changed to more scopes without re-signing',
    async (ctx) =>
      bearer(
        replacePayload(await valid(ctx), (c) => ({ ...c, scope: 'support:*', roles: ['owner'] })),
      ),
  ],
  [
    'the payload expiry pushed out without re-signing',
    async (ctx) =>
      bearer(replacePayload(await valid(ctx), (c) => ({ ...c, exp: now() + 86_400 * 365 }))),
  ],
  // Time
  ['expired a second ago', (ctx) => signWith(ctx.kit, ctx.claims({ exp: now() - 1 })).then(bearer)],
  [
    'expired a day ago',
    (ctx) =>
      signWith(
        ctx.kit,
        ctx.claims({ iat: now() - 90_000, nbf: now() - 90_000, exp: now() - 86_400 }),
      ).then(bearer),
  ],
  [
    'not valid before a minute from now',
    (ctx) => signWith(ctx.kit, ctx.claims({ nbf: now() + 60 })).then(bearer),
  ],
  [
    'issued a minute in the future',
    (ctx) => signWith(ctx.kit, ctx.claims({ iat: now() + 60, nbf: now() })).then(bearer),
  ],
  ['no exp', (ctx) => signWith(ctx.kit, without(ctx.claims(), 'exp')).then(bearer)],
  ['no iat', (ctx) => signWith(ctx.kit, without(ctx.claims(), 'iat')).then(bearer)],
  [
    'an exp that is a string',
    (ctx) => signWith(ctx.kit, ctx.claims({ exp: String(now() + 600) })).then(bearer),
  ],
  // Issuer and audience
  ['a wrong issuer', (ctx) => signWith(ctx.kit, ctx.claims({ iss: 'someone-else' })).then(bearer)],
  ['no issuer', (ctx) => signWith(ctx.kit, without(ctx.claims(), 'iss')).then(bearer)],
  [
    'a wrong audience',
    (ctx) => signWith(ctx.kit, ctx.claims({ aud: ['another-api'] })).then(bearer),
  ],
  ['no audience', (ctx) => signWith(ctx.kit, without(ctx.claims(), 'aud')).then(bearer)],
  // Token kind and subject
  [
    'token_use "refresh" (real key)',
    (ctx) => signWith(ctx.kit, ctx.claims({ token_use: 'refresh' })).then(bearer),
  ],
  [
    'token_use "ACCESS"',
    (ctx) => signWith(ctx.kit, ctx.claims({ token_use: 'ACCESS' })).then(bearer),
  ],
  ['no token_use', (ctx) => signWith(ctx.kit, without(ctx.claims(), 'token_use')).then(bearer)],
  ['a real refresh token from login', (ctx) => bearer(ctx.refreshToken)],
  [
    'a subject that is not a user uuid',
    (ctx) => signWith(ctx.kit, ctx.claims({ sub: 'user:not-a-uuid' })).then(bearer),
  ],
  [
    'a subject of no known kind',
    (ctx) => signWith(ctx.kit, ctx.claims({ sub: 'admin' })).then(bearer),
  ],
  ['no subject', (ctx) => signWith(ctx.kit, without(ctx.claims(), 'sub')).then(bearer)],
  ['no jti', (ctx) => signWith(ctx.kit, without(ctx.claims(), 'jti')).then(bearer)],
  // Session and account state
  ['the token of a session revoked by logout/all', (ctx) => ctx.revoked.authorization],
  ['the token of a disabled user', (ctx) => ctx.disabled.authorization],
  [
    'a session id that never existed (real key)',
    (ctx) => signWith(ctx.kit, ctx.claims({ sid: randomUUID() })).then(bearer),
  ],
  // Framing
  ['the token truncated by 5 characters', async (ctx) => bearer((await valid(ctx)).slice(0, -5))],
  ['only two segments', async (ctx) => bearer((await valid(ctx)).split('.').slice(0, 2).join('.'))],
  ['only the header', async (ctx) => bearer((await valid(ctx)).split('.')[0])],
  ['an extra fourth segment', async (ctx) => bearer(`${await valid(ctx)}.${b64url('extra')}`)],
  ['a trailing dot', async (ctx) => bearer(`${await valid(ctx)}.`)],
  ['five segments (JWE shape)', () => bearer('eyJhbGciOiJkaXIifQ..aaaa.bbbb.cccc')],
  ['characters outside base64url', () => bearer('!!!.@@@.###')],
  [
    'a header that is not JSON',
    async (ctx) =>
      bearer(`${b64url('not json')}.${(await valid(ctx)).split('.').slice(1).join('.')}`),
  ],
  [
    'a header that is a JSON array',
    async (ctx) => bearer(`${b64url([1])}.${(await valid(ctx)).split('.').slice(1).join('.')}`),
  ],
  [
    'a payload that is not JSON',
    (ctx) =>
      bearer(
        unsignedToken({ alg: 'EdDSA', kid: ctx.kit.kid }, {}).replace(
          /\.[^.]*\./,
          `.${b64url('nope')}.`,
        ),
      ),
  ],
  ['an 8 KB token', () => bearer(`${'a'.repeat(4096)}.${'b'.repeat(4096)}.c`)],
  ['an empty bearer token', () => 'Bearer '],
  ['the scheme alone', () => 'Bearer'],
  ['an empty Authorization header', () => ''],
  ['the valid token under the Basic scheme', async (ctx) => `Basic ${await valid(ctx)}`],
  ['the valid token under a Token scheme', async (ctx) => `Token ${await valid(ctx)}`],
  ['no Authorization header', () => null],
];

/** Protected routes: user-only, scoped, session and tenant-scoped, with the untampered answer. */
const ROUTES: [string, (ctx: Ctx) => string, number][] = [
  ['GET /api/v1/auth/me', () => '/api/v1/auth/me', 200],
  ['GET /api/v1/conversations', () => '/api/v1/conversations', 200],
  ['GET /api/v1/auth/sessions', () => '/api/v1/auth/sessions', 200],
  // The tenant has no subscription: past authentication, the route's own 404.
  [
    'GET /api/v1/billing/tenants/:tenant_id/invoices',
    (ctx) => `/api/v1/billing/tenants/${ctx.user.tenantId}/invoices`,
    404,
  ],
];

describe('token tamper matrix', () => {
  let stripe: StripeFake;
  const ctx = {} as Ctx;

  beforeAll(async () => {
    stripe = await startBillingStripeFake();
    ctx.t = await startTestApp({
      env: { ...billingEnv(stripe), ...FAST_AUTH_ENV, TRUSTED_PROXIES: '127.0.0.1' },
    });
    const { t } = ctx;
    ctx.kit = await forgeKit(t);
    ctx.secrets = await publicKeySecrets(ctx.kit);
    ctx.user = await createTestUser(t, { role: 'owner' });
    ctx.claims = (extra = {}) => ({
      ...userAccessClaims({ ...ctx.user, emailVerified: true }, ctx.kit.audience),
      iss: ctx.kit.issuer,
      iat: now(),
      nbf: now(),
      exp: now() + 600,
      ...extra,
    });

    const member = await createPasswordUser(t);
    const login = await loginAs(
      t,
      { email: member.email, password: member.password },
      '198.51.100.77',
    ).expect(200);
    ctx.refreshToken = login.body.refresh_token;

    ctx.revoked = await createTestUser(t, { role: 'owner' });
    await t.http.get('/api/v1/auth/me').set('Authorization', ctx.revoked.authorization).expect(200);
    await t.http
      .post('/api/v1/auth/logout/all')
      .set('Authorization', ctx.revoked.authorization)
      .expect(200);

    ctx.disabled = await createTestUser(t, { role: 'owner' });
    await t.http
      .get('/api/v1/auth/me')
      .set('Authorization', ctx.disabled.authorization)
      .expect(200);
    await t.app.get(UserAccountService).disableUser(ctx.disabled.userId);
  });

  afterAll(async () => {
    await ctx.t?.close();
    await stripe?.close();
  });

  describe.each(ROUTES)('%s', (_label, pathOf, untampered) => {
    it('accepts the untampered token (the matrix below can fail)', async () => {
      const response = await ctx.t.http
        .get(pathOf(ctx))
        .set('Authorization', bearer(await valid(ctx)));
      expect(response.status).toBe(untampered);
      expect(response.headers['www-authenticate']).toBeUndefined();
    });

    it.each(CASES)('refuses %s with a 401 envelope and WWW-Authenticate', async (_case, build) => {
      const authorization = await build(ctx);
      const request = ctx.t.http.get(pathOf(ctx));
      if (authorization !== null) request.set('Authorization', authorization);
      const response = await request;
      expect(response.status).toBe(401);
      expectErrorEnvelope(response);
      expect(response.headers['www-authenticate']).toMatch(/^Bearer\b/);
      for (const secret of [ctx.user.userId, ctx.user.tenantId, ctx.user.email]) {
        expect(response.text).not.toContain(secret);
      }
    });
  });

  it('refuses a service-account token on user-only routes with a 401 and WWW-Authenticate', async () => {
    const token = await signWith(ctx.kit, {
      sub: 'service-account:analytics-bot',
      token_use: 'access',
      aud: ctx.kit.audience,
      scope: 'conversations:read tools:read',
      tenant_id: ctx.user.tenantId,
      jti: randomUUID(),
      iss: ctx.kit.issuer,
      iat: now(),
      nbf: now(),
      exp: now() + 600,
    });
    // (Conversation routes take service accounts with the scopes since decision C12.)
    for (const path of ['/api/v1/auth/me', '/api/v1/auth/sessions']) {
      const response = await ctx.t.http.get(path).set('Authorization', bearer(token));
      expect({ path, status: response.status }).toEqual({ path, status: 401 });
      expectErrorEnvelope(response);
      expect(response.headers['www-authenticate']).toMatch(/^Bearer\b/);
      expect(response.body.code).toBe('user_subject_required');
    }
  });
});
