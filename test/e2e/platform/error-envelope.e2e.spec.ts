import { startTestApp, type TestApp } from '../../support/test-app';

describe('error envelope (decisions P2, P3)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  it('renders an unknown route as a 404 envelope with code and request id', async () => {
    const response = await t.http.get('/api/v1/does-not-exist').expect(404);
    expect(response.headers['content-type']).toMatch(/application\/json/);
    expect(response.body).toEqual({
      success: false,
      error: 'Not Found',
      message: 'Not Found',
      details: null,
      code: 'not_found',
      request_id: response.headers['x-correlation-id'],
    });
  });

  it('renders a wrong method on a known path as 405 with an Allow header', async () => {
    const response = await t.http.delete('/health').expect(405);
    expect(response.headers.allow).toBe('GET, HEAD');
    expect(response.body).toMatchObject({
      success: false,
      error: 'Method Not Allowed',
      code: 'method_not_allowed',
      details: { Allow: 'GET, HEAD' },
    });
  });

  it('renders malformed JSON as the reference 422 json_invalid issue', async () => {
    const response = await t.http
      .post('/health')
      .set('Content-Type', 'application/json')
      .send('{"a": ')
      .expect(422);
    expect(response.body).toMatchObject({
      success: false,
      error: 'ValidationError',
      message: 'Request validation failed.',
      code: 'validation_error',
    });
    const [issue] = response.body.details as { type: string; loc: unknown[]; msg: string }[];
    expect(issue.type).toBe('json_invalid');
    expect(issue.loc[0]).toBe('body');
    expect(issue.msg).toBe('JSON decode error');
  });

  it('renders an oversized body as 413', async () => {
    const big = JSON.stringify({ data: 'x'.repeat(1024 * 1024 + 10) });
    const response = await t.http
      .post('/health')
      .set('Content-Type', 'application/json')
      .send(big)
      .expect(413);
    expect(response.body).toMatchObject({ success: false, code: 'payload_too_large' });
  });

  it('renders a non-JSON body as 415', async () => {
    const response = await t.http
      .post('/health')
      .set('Content-Type', 'text/plain')
      .send('hello')
      .expect(415);
    expect(response.body).toMatchObject({ success: false, code: 'unsupported_media_type' });
  });

  it('redirects a trailing slash to the canonical route with 307', async () => {
    const response = await t.http.get('/health/?x=1').expect(307);
    expect(response.headers.location).toBe('/health?x=1');
  });
});
