import { ServiceAccountException } from '../../../src/modules/auth/service-accounts/service-accounts.errors';
import {
  checkEnvelopeClaims,
  checkFreshness,
  decodeVaultPayload,
  NONCE_TTL_SECONDS,
  normalizeScopeList,
  reconcileWithRequest,
  type IssuanceRequest,
} from '../../../src/modules/auth/service-accounts/vault-payload';
import {
  buildVaultEnvelope,
  encodeVaultEnvelope,
} from '../../../src/modules/auth/service-accounts/vault-signed-request';

function failure(fn: () => unknown): { status: number; message: string } {
  try {
    fn();
  } catch (error) {
    if (error instanceof ServiceAccountException) {
      return { status: error.getStatus(), message: error.message };
    }
    throw error;
  }
  throw new Error('expected a ServiceAccountException');
}

const NOW = 1_800_000_000;
const request: IssuanceRequest = {
  account: 'billing-worker',
  scopes: ['billing:read', 'billing:manage'],
  tenantId: null,
  lifetimeMinutes: null,
  fingerprint: null,
  force: false,
};

describe('Vault payload checks', () => {
  it('decodes standard base64 and the legacy base64url, giving Transit standard base64', () => {
    const envelope = buildVaultEnvelope({ account: 'a', scopes: ['s'], fingerprint: 'ff' });
    const standard = encodeVaultEnvelope(envelope);
    const urlSafe = Buffer.from(standard, 'base64').toString('base64url');
    expect(decodeVaultPayload(standard)).toEqual({ claims: envelope, input: standard });
    expect(decodeVaultPayload(urlSafe)).toEqual({ claims: envelope, input: standard });
  });

  it('rejects bad encodings, non-JSON and non-objects with 400', () => {
    expect(failure(() => decodeVaultPayload('a$b')).message).toMatch(
      /^Invalid Vault payload encoding/,
    );
    expect(failure(() => decodeVaultPayload('abcde')).status).toBe(400);
    expect(failure(() => decodeVaultPayload(Buffer.from('nope').toString('base64')))).toEqual({
      status: 400,
      message: expect.stringMatching(/^Invalid Vault payload JSON: /),
    });
    expect(failure(() => decodeVaultPayload(Buffer.from('[1]').toString('base64')))).toEqual({
      status: 400,
      message: 'Unexpected Vault payload shape.',
    });
  });

  it('requires the envelope claims, the auth-service audience, the issuer and a subject', () => {
    const envelope = buildVaultEnvelope({ account: 'a', scopes: ['s'] });
    expect(() => checkEnvelopeClaims(envelope)).not.toThrow();
    expect(
      failure(() => checkEnvelopeClaims({ ...envelope, nonce: null, iat: undefined })),
    ).toEqual({ status: 401, message: 'Vault payload missing fields: nonce, iat' });
    expect(failure(() => checkEnvelopeClaims({ ...envelope, aud: 'auth-service' })).message).toBe(
      'Vault payload audience invalid.',
    );
    expect(failure(() => checkEnvelopeClaims({ ...envelope, scopes: 's' })).message).toBe(
      'Vault payload scopes must be a list.',
    );
    expect(failure(() => checkEnvelopeClaims({ ...envelope, iss: 'x' })).message).toBe(
      'Vault payload issuer invalid.',
    );
    expect(failure(() => checkEnvelopeClaims({ ...envelope, sub: 42 })).message).toBe(
      'Vault payload subject invalid.',
    );
  });

  it('normalises scope lists with the reference messages (401 signed, 400 requested)', () => {
    expect(normalizeScopeList([' a ', 'a', 'b'], 'vault')).toEqual(['a', 'b']);
    expect(failure(() => normalizeScopeList('a', 'vault'))).toEqual({
      status: 401,
      message: 'Vault payload scopes must be an array of strings.',
    });
    expect(failure(() => normalizeScopeList([1], 'request'))).toEqual({
      status: 400,
      message: 'Request scopes must contain strings only.',
    });
    expect(failure(() => normalizeScopeList([' '], 'request')).message).toBe(
      'Request scopes cannot contain empty scopes.',
    );
    expect(failure(() => normalizeScopeList([], 'vault')).message).toBe(
      'Vault payload scopes must include at least one scope.',
    );
  });

  it('reconciles the request: signed order, copied lifetime/fingerprint and signed tenant', () => {
    const claims = {
      account: 'billing-worker',
      scopes: ['billing:manage', 'billing:read'],
      tenant_id: 'AAAAAAAA-0000-4000-8000-000000000000',
      lifetime_minutes: 60,
      fingerprint: 'job-1',
    };
    expect(reconcileWithRequest(claims, request)).toEqual({
      ...request,
      scopes: ['billing:manage', 'billing:read'],
      tenantId: 'aaaaaaaa-0000-4000-8000-000000000000',
      lifetimeMinutes: 60,
      fingerprint: 'job-1',
    });
    const mismatches: [Record<string, unknown>, Partial<IssuanceRequest>, string][] = [
      [{ account: 'other' }, {}, 'Vault payload account mismatch.'],
      [{ tenant_id: null }, { tenantId: 'x' }, 'Vault payload tenant mismatch.'],
      [{ scopes: ['billing:read'] }, {}, 'Vault payload scopes mismatch.'],
      [
        { lifetime_minutes: 30 },
        { lifetimeMinutes: 60 },
        'Vault payload lifetime_minutes mismatch.',
      ],
      [
        { lifetime_minutes: null },
        { lifetimeMinutes: 60 },
        'Vault payload missing lifetime_minutes.',
      ],
      [{ fingerprint: 'a' }, { fingerprint: 'b' }, 'Vault payload fingerprint mismatch.'],
      [{ fingerprint: null }, { fingerprint: 'b' }, 'Vault payload missing fingerprint.'],
    ];
    for (const [claimChanges, requestChanges, message] of mismatches) {
      expect(
        failure(() =>
          reconcileWithRequest({ ...claims, ...claimChanges }, { ...request, ...requestChanges }),
        ),
      ).toEqual({ status: 400, message });
    }
    expect(
      failure(() => reconcileWithRequest({ ...claims, lifetime_minutes: 0 }, request)),
    ).toEqual({
      status: 401,
      message: 'Vault payload lifetime_minutes must be a positive integer.',
    });
    expect(
      failure(() => reconcileWithRequest({ ...claims, fingerprint: '' }, request)).message,
    ).toBe('Vault payload fingerprint invalid.');
  });

  it('checks exp and the iat window (-30 s .. +600 s), then the nonce shape', () => {
    const claims = { exp: NOW + 300, iat: NOW, nonce: 'n1' };
    expect(checkFreshness(claims, NOW)).toBe('n1');
    expect(checkFreshness({ ...claims, iat: NOW + 30 }, NOW)).toBe('n1');
    expect(checkFreshness({ ...claims, iat: NOW - 600 }, NOW)).toBe('n1');
    const cases: [Record<string, unknown>, string][] = [
      [{ exp: '1' }, 'Vault payload missing exp.'],
      [{ exp: NOW }, 'Vault payload expired.'],
      [{ iat: 1.5 }, 'Vault payload missing iat.'],
      [{ iat: NOW + 31 }, 'Vault payload iat is in the future.'],
      [{ iat: NOW - 601 }, 'Vault payload iat outside acceptable window.'],
      [{ nonce: ' ' }, 'Vault payload missing nonce.'],
      [{ nonce: 'x'.repeat(129) }, 'Vault payload nonce invalid.'],
    ];
    for (const [changes, message] of cases) {
      expect(failure(() => checkFreshness({ ...claims, ...changes }, NOW))).toEqual({
        status: 401,
        message,
      });
    }
    // The nonce outlives every payload that could still be accepted.
    expect(NONCE_TTL_SECONDS).toBeGreaterThanOrEqual(630);
  });
});
