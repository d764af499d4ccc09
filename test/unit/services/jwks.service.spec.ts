import { JwksService, KeysetService } from '../../../src/modules/auth';
import { AuthMetrics } from '../../../src/modules/auth/auth.metrics';
import type { KeyMaterial } from '../../../src/modules/auth/keys/key-material';
import { metricValue, newTestService } from '../../support/service-test';

const KEY: KeyMaterial = {
  kid: 'ed25519-0123456789ab',
  public_jwk: {
    kty: 'OKP',
    crv: 'Ed25519',
    kid: 'ed25519-0123456789ab',
    x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
    use: 'sig',
    alg: 'EdDSA',
  },
  created_at: '2024-05-01T10:00:00+00:00',
  not_before: '2024-05-01T10:00:00+00:00',
  not_after: null,
};

describe('JwksService.reply: the counted JWKS answer', () => {
  const setup = () => {
    const { sut, mocks } = newTestService(JwksService, { env: { AUTH_JWKS_ETAG_SALT: 'salt' } });
    const keyset = mocks.get(KeysetService);
    keyset.published.mockResolvedValue([KEY]);
    const metrics = mocks.value(AuthMetrics);
    const counts = async () => ({
      requests: await metricValue(metrics.jwksRequests),
      notModified: await metricValue(metrics.jwksNotModified),
    });
    return { sut, keyset, counts };
  };

  it('answers 200 with the document and its caching headers, counting one request', async () => {
    const t = setup();
    const current = await t.sut.current();
    const reply = await t.sut.reply(undefined);
    expect(reply).toEqual({
      status: 200,
      headers: {
        'Cache-Control': current.cacheControl,
        ETag: current.etag,
        'Last-Modified': 'Wed, 01 May 2024 10:00:00 GMT',
      },
      body: { keys: [KEY.public_jwk] },
    });
    expect(Object.keys(reply.headers)).toEqual(['Cache-Control', 'ETag', 'Last-Modified']);
    expect(await t.counts()).toEqual({ requests: 1, notModified: 0 });
  });

  it('answers 304 without a body for an exact If-None-Match, counting it in both', async () => {
    const t = setup();
    const { etag } = await t.sut.current();
    const reply = await t.sut.reply(etag);
    expect(reply.status).toBe(304);
    expect(reply).not.toHaveProperty('body');
    expect(reply.headers.ETag).toBe(etag);
    expect(await t.counts()).toEqual({ requests: 1, notModified: 1 });
  });

  it('answers 200 to a weak or different If-None-Match', async () => {
    const t = setup();
    const { etag } = await t.sut.current();
    expect((await t.sut.reply(`W/${etag}`)).status).toBe(200);
    expect((await t.sut.reply('"other"')).status).toBe(200);
    expect(await t.counts()).toEqual({ requests: 2, notModified: 0 });
  });

  it('counts nothing for current() (jwks print) or when the keyset cannot be read', async () => {
    const t = setup();
    await t.sut.current();
    t.keyset.published.mockRejectedValue(new Error('vault down'));
    await expect(t.sut.reply(undefined)).rejects.toThrow('vault down');
    expect(await t.counts()).toEqual({ requests: 0, notModified: 0 });
  });
});
