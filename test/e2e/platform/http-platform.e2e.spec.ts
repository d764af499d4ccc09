import { Controller, Get, Module } from '@nestjs/common';
import { startTestApp, type TestApp } from '../../support/test-app';

@Controller('__test')
class CrashController {
  @Get('crash')
  crash(): never {
    throw new Error('secret internal detail: password=hunter2');
  }
}

@Module({ controllers: [CrashController] })
class CrashModule {}

describe('HTTP platform', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({
      env: {
        ALLOWED_HOSTS: 'api.example.com,*.internal.example',
        ALLOWED_ORIGINS: 'https://app.example.com',
      },
      extraImports: [CrashModule],
    });
  });

  afterAll(async () => {
    await t.close();
  });

  describe('correlation id (decision P4)', () => {
    it('echoes a safe inbound X-Correlation-ID on both id headers and in every log line of the request', async () => {
      const response = await t.http
        .get('/')
        .set('Host', 'api.example.com')
        .set('X-Correlation-ID', 'req-abc.123_Z')
        .expect(200);
      expect(response.headers['x-correlation-id']).toBe('req-abc.123_Z');
      expect(response.headers['x-request-id']).toBe('req-abc.123_Z');
      expect(response.headers['x-process-time']).toMatch(/^\d+\.\d{4}$/);
      const lines = t.logs.filter((line) => line.request_id === 'req-abc.123_Z');
      expect(
        lines.some(
          (line) => line.event === 'http.access' && line.route === '/' && line.status === 200,
        ),
      ).toBe(true);
    });

    it('accepts X-Request-ID when no correlation id is sent', async () => {
      const response = await t.http
        .get('/health')
        .set('Host', 'api.example.com')
        .set('X-Request-ID', 'from-gateway-1');
      expect(response.headers['x-correlation-id']).toBe('from-gateway-1');
    });

    it('replaces an unsafe inbound id with a generated UUID', async () => {
      const response = await t.http
        .get('/health')
        .set('Host', 'api.example.com')
        .set('X-Correlation-ID', 'bad id\twith spaces');
      expect(response.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
    });
  });

  it('answers an unhandled error with a generic 500 envelope, never the exception text, and logs it', async () => {
    const response = await t.http.get('/__test/crash').set('Host', 'api.example.com').expect(500);
    expect(response.body).toEqual({
      success: false,
      error: 'Internal Server Error',
      message: 'Internal Server Error',
      details: null,
      code: 'internal_error',
      request_id: response.headers['x-correlation-id'],
    });
    expect(JSON.stringify(response.body)).not.toContain('hunter2');
    const logged = t.logs.find(
      (line) => line.request_id === response.headers['x-correlation-id'] && line.level === 'error',
    );
    expect(logged?.message).toBe('Unhandled error');
  });

  describe('host check (decision P5)', () => {
    it('rejects an unknown Host with a 400 envelope', async () => {
      const response = await t.http.get('/').set('Host', 'evil.example.net').expect(400);
      expect(response.body).toMatchObject({ error: 'Invalid host header', code: 'invalid_host' });
    });

    it('accepts wildcard subdomains', async () => {
      await t.http.get('/').set('Host', 'api.internal.example:8443').expect(200);
    });

    it('never rejects probes', async () => {
      await t.http.get('/health').set('Host', '10.1.2.3:8000').expect(200);
      await t.http.get('/livez').set('Host', '10.1.2.3:8000').expect(200);
      await t.http.get('/health/ready').set('Host', '10.1.2.3:8000').expect(200);
    });
  });

  it('answers CORS preflights for allowed origins, PATCH included, and exposes our headers', async () => {
    const preflight = await t.http
      .options('/api/v1/auth/me')
      .set('Host', 'api.example.com')
      .set('Origin', 'https://app.example.com')
      .set('Access-Control-Request-Method', 'PATCH');
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(preflight.headers['access-control-allow-methods']).toContain('PATCH');
    const simple = await t.http
      .get('/health')
      .set('Host', 'api.example.com')
      .set('Origin', 'https://app.example.com');
    expect(simple.headers['access-control-expose-headers']).toContain('X-Correlation-ID');
    expect(simple.headers['access-control-expose-headers']).toContain('Retry-After');
    expect(simple.headers['access-control-allow-credentials']).toBe('true');
  });

  it('serves the reference health bodies', async () => {
    const health = await t.http.get('/health').expect(200);
    expect(health.body).toEqual({
      status: 'healthy',
      timestamp: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/),
      version: '1.0.0',
      uptime: expect.any(Number),
    });
    const root = await t.http.get('/').set('Host', 'api.example.com').expect(200);
    expect(root.body).toEqual({
      service: 'anything-agents',
      version: '1.0.0',
      description: 'anything-agents FastAPI microservice',
      docs: '/docs',
      health: '/health',
      api: '/api/v1',
      chat: '/api/v1/chat',
      agents: '/api/v1/agents',
    });
    await t.http.get('/startupz').expect(200);
    await t.http.get('/readyz').expect(200, { status: 'ok' });
  });

  it('publishes the OpenAPI document with FastAPI operationIds and the error envelope schema', async () => {
    const response = await t.http.get('/openapi.json').set('Host', 'api.example.com').expect(200);
    expect(response.body.info).toMatchObject({ title: 'anything-agents', version: '1.0.0' });
    expect(response.body.paths['/health'].get.operationId).toBe('health_check_health_get');
    expect(response.body.paths['/'].get.operationId).toBe('root__get');
    expect(response.body.paths['/api/v1/auth/me'].get.operationId).toBe(
      'get_current_user_info_api_v1_auth_me_get',
    );
    expect(response.body.paths['/metrics']).toBeUndefined();
    expect(response.body.paths['/.well-known/jwks.json']).toBeUndefined();
    expect(response.body.components.schemas.ErrorResponse.required).toEqual(
      expect.arrayContaining(['success', 'error', 'message', 'details', 'code']),
    );
  });
});

describe('metrics endpoint (decision P7)', () => {
  it('serves Prometheus text with HTTP metrics by route template, per-app registries, optional bearer', async () => {
    const a = await startTestApp({ env: { METRICS_BEARER_TOKEN: 'scrape-secret' } });
    const b = await startTestApp();
    try {
      await a.http.get('/api/v1/conversations-not-a-route').expect(404);
      await a.http.get('/health').expect(200);
      await a.http.get('/metrics').expect(401);
      const scrape = await a.http
        .get('/metrics')
        .set('Authorization', 'Bearer scrape-secret')
        .expect(200);
      expect(scrape.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
      expect(scrape.text).toMatch(
        /http_server_requests_total\{method="GET",route="\/health",status="200"\} 1/,
      );
      expect(scrape.text).toContain(
        'http_server_requests_total{method="GET",route="unmatched",status="404"} 1',
      );
      expect(scrape.text).toContain('process_cpu_user_seconds_total');
      expect(scrape.text).toContain('# TYPE jwks_requests_total counter');
      expect(scrape.text).toContain('# TYPE jwt_verifications_total counter');
      // The second app has its own registry: a's traffic is not in b's scrape.
      const other = await b.http.get('/metrics').expect(200);
      expect(other.text).not.toMatch(/route="\/health",status="200"\} 1/);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
