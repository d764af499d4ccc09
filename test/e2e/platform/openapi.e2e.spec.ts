import { runInNewContext } from 'node:vm';
import { startTestApp, type TestApp } from '../../support/test-app';
import { createPasswordUser, FAST_AUTH_ENV, type PasswordUser } from '../auth/auth-e2e-helpers';

interface Operation {
  tags?: string[];
  operationId: string;
}
interface Document {
  info: { title: string; description: string };
  tags?: { name: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, { description?: string }> };
}
interface SwaggerResponse {
  url: string;
  status: number;
  ok: boolean;
  body?: unknown;
  text?: string;
}
interface PageOptions {
  spec: Document;
  persistAuthorization?: boolean;
  responseInterceptor: (response: SwaggerResponse) => SwaggerResponse;
}

function operations(document: Document): [string, Operation][] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]): [string, Operation] => [
      `${method.toUpperCase()} ${path}`,
      operation,
    ]),
  );
}

/**
 * Runs the page's init script as the browser would (Swagger UI stubbed): returns the options the
 * page builds the UI with, and the tokens it authorized itself with.
 */
async function loadPage(t: TestApp): Promise<{ options: PageOptions; authorized: string[][] }> {
  const init = await t.http.get('/docs/swagger-ui-init.js').expect(200);
  const authorized: string[][] = [];
  let options: PageOptions | undefined;
  const ui = {
    preauthorizeApiKey: (name: string, value: string) => authorized.push([name, value]),
    initOAuth: () => undefined,
    authActions: { authorize: () => undefined },
  };
  const bundle = Object.assign(
    (built: PageOptions) => {
      options = built;
      return ui;
    },
    { presets: { apis: {} }, plugins: { DownloadUrl: {} } },
  );
  const window: { location: object; onload?: () => void; ui?: unknown } = {
    location: { search: '', origin: t.url },
  };
  runInNewContext(init.text, { window, SwaggerUIBundle: bundle, SwaggerUIStandalonePreset: {} });
  window.onload?.();
  if (!options) throw new Error('the init script built no Swagger UI');
  return { options, authorized };
}

/** Swagger UI at /docs and /openapi.json (decision P8). */
describe('API docs', () => {
  let t: TestApp;
  let user: PasswordUser;

  beforeAll(async () => {
    t = await startTestApp({ env: FAST_AUTH_ENV });
    user = await createPasswordUser(t);
  });
  afterAll(() => t.close());

  it('keeps /openapi.json as the reference publishes it: api + group tags, configured info', async () => {
    const response = await t.http.get('/openapi.json').expect(200);
    const document = response.body as Document;
    expect(document.info).toMatchObject({
      title: 'anything-agents',
      description: 'anything-agents FastAPI microservice',
    });
    expect(document.paths['/api/v1/chat'].post.tags).toEqual(['api', 'chat']);
    expect(document.paths['/api/v1/auth/token'].post.tags).toEqual(['api', 'auth']);
    expect(document.paths['/health'].get.tags).toEqual(['health']);
  });

  it('shows every operation once, grouped by area, under a title that names the product', async () => {
    const html = await t.http.get('/docs').expect(200);
    expect(html.text).toContain('<title>anything-agents API docs</title>');
    const { options } = await loadPage(t);
    const page = options.spec;
    const json = (await t.http.get('/openapi.json').expect(200)).body as Document;

    expect(operations(page).map(([name]) => name)).toEqual(operations(json).map(([n]) => n));
    for (const [name, operation] of operations(page)) {
      expect([name, operation.tags?.length]).toEqual([name, 1]);
      expect(operation.tags).not.toContain('api');
    }
    expect(page.paths['/api/v1/conversations'].get.tags).toEqual(['conversations']);
    expect(page.paths['/api/v1/auth/token'].post.operationId).toBe(
      'login_for_access_token_api_v1_auth_token_post',
    );
    expect(page.tags?.map((tag) => tag.name)).toEqual([
      'auth',
      'members',
      'audit',
      'chat',
      'conversations',
      'agents',
      'tools',
      'health',
      'Root',
    ]);
    expect(page.info.title).toBe('anything-agents API');
    expect(page.info.description).not.toContain('FastAPI');
    expect(page.info.description).toContain('POST /api/v1/auth/token');
    expect(page.components.securitySchemes.bearer.description).toContain('access_token');
  });

  it('authorizes itself with the token of a login made in the page, and keeps it', async () => {
    const { options, authorized } = await loadPage(t);
    expect(options.persistAuthorization).toBe(true);

    const failed = await t.http
      .post('/api/v1/auth/token')
      .send({ email: user.email, password: 'not-the-password-at-all' })
      .expect(401);
    options.responseInterceptor({
      url: `${t.url}/api/v1/auth/token`,
      status: 401,
      ok: false,
      body: failed.body,
    });
    expect(authorized).toEqual([]);

    const login = await t.http
      .post('/api/v1/auth/token')
      .send({ email: user.email, password: user.password })
      .expect(200);
    const passedOn = options.responseInterceptor({
      url: `${t.url}/api/v1/auth/token`,
      status: 200,
      ok: true,
      text: JSON.stringify(login.body),
    });
    expect(passedOn.status).toBe(200);
    expect(authorized).toEqual([['bearer', login.body.access_token]]);

    // What the page then sends on a protected route ("Authorize" with that token) is accepted.
    const me = await t.http
      .get('/api/v1/auth/me')
      .set('Authorization', `Bearer ${authorized[0][1]}`)
      .expect(200);
    expect(me.body.data).toMatchObject({ user_id: user.userId });

    // Other answers never change the page's authorization.
    options.responseInterceptor({
      url: `${t.url}/api/v1/auth/me`,
      status: 200,
      ok: true,
      body: { access_token: 'not-a-token-route' },
    });
    expect(authorized).toHaveLength(1);
  });

  it('serves only /openapi.json when the docs are off', async () => {
    const off = await startTestApp({ env: { ENABLE_API_DOCS: 'false' } });
    try {
      await off.http.get('/openapi.json').expect(200);
      await off.http.get('/docs').expect(404);
      await off.http.get('/docs/swagger-ui-init.js').expect(404);
    } finally {
      await off.close();
    }
  });
});
