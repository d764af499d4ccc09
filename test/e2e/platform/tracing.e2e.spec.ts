import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ensureBuilt,
  freePort,
  MAIN_JS,
  startProcess,
  waitForHttp,
  type RunningProcess,
} from '../../support/compiled-app';
import {
  extractToken,
  startOpenAIFake,
  startOtlpReceiver,
  startSmtpFake,
  type OpenAIFake,
  type OtlpReceiver,
  type ReceivedSpan,
  type SmtpFake,
} from '../../support/fakes';
import { uniqueEmail } from '../../support/auth-fixtures';
import { FAST_AUTH_ENV, STRONG_PASSWORD } from '../auth/auth-e2e-helpers';

/**
 * OpenTelemetry (issue 17): the compiled server, with OTEL_EXPORTER_OTLP_ENDPOINT set, exports
 * one connected trace per chat request to an in-process OTLP receiver: the inbound
 * `traceparent` is honoured, the server span carries route template and tenant, database and
 * Redis calls, the GenAI agent and model spans and the outbound OpenAI call are its descendants,
 * the OpenAI fake receives the propagated `traceparent`, and every log line of the request
 * carries its trace id. Instrumentation patches modules as Node loads them, which jest's module
 * registry bypasses, hence a real process.
 */
const SERVER = 2;
const CLIENT = 3;

describe('OpenTelemetry tracing', () => {
  let receiver: OtlpReceiver;
  let openai: OpenAIFake;
  let smtp: SmtpFake;
  let server: RunningProcess;
  let base: string;

  beforeAll(async () => {
    ensureBuilt();
    receiver = await startOtlpReceiver();
    openai = await startOpenAIFake();
    smtp = await startSmtpFake();
    const port = await freePort();
    const env: Record<string, string> = {
      ...FAST_AUTH_ENV,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: openai.baseURL,
      SMTP_URL: smtp.url,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_SERVICE_NAME: 'tracing-e2e',
      TRUSTED_PROXIES: '127.0.0.1',
    };
    // The run's real backends when there are (pg and ioredis spans), else the embedded ones.
    if (process.env.TEST_DATABASE_URL) env.DATABASE_URL = process.env.TEST_DATABASE_URL;
    if (process.env.TEST_REDIS_URL_RESOLVED) env.REDIS_URL = process.env.TEST_REDIS_URL_RESOLVED;
    server = startProcess(MAIN_JS, env, mkdtempSync(join(tmpdir(), 'aa-trace-')));
    base = `http://127.0.0.1:${port}`;
    await waitForHttp(`${base}/health/ready`, 90_000);
  }, 150_000);

  afterAll(async () => {
    server?.child.kill('SIGTERM');
    await server?.exited;
    await openai?.close();
    await smtp?.close();
    await receiver?.close();
  });

  const hex = (bytes: number) => randomBytes(bytes).toString('hex');
  const inTrace = (traceId: string) => receiver.spans.filter((span) => span.traceId === traceId);

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  /**
   * A verified user (chat needs one): signs up, follows the mailed verification link, logs in.
   * The signup's mail delivery is traced too: an SMTP client span under the signup request.
   */
  async function verifiedUser(): Promise<{ token: string; tenantId: string }> {
    const email = uniqueEmail('traced');
    const credentials = { email, password: STRONG_PASSWORD };
    const signupTrace = hex(16);
    const signup = await post(
      '/api/v1/auth/register',
      { ...credentials, tenant_name: 'Traced Co', accept_terms: true },
      { traceparent: `00-${signupTrace}-${hex(8)}-01` },
    );
    expect(signup.status).toBe(201);
    const { tenant_id: tenantId } = (await signup.json()) as { tenant_id: string };
    const mail = await smtp.waitForMailTo(email);
    await receiver.waitFor(() => inTrace(signupTrace).some((span) => span.name === 'smtp send'));
    expect(inTrace(signupTrace).find((span) => span.name === 'smtp send')).toMatchObject({
      kind: CLIENT,
      attributes: { 'mail.category': expect.any(String) as unknown },
    });
    expect((await post('/api/v1/auth/email/verify', { token: extractToken(mail) })).status).toBe(
      200,
    );
    const login = await post('/api/v1/auth/token', credentials);
    expect(login.status).toBe(200);
    const { access_token: token } = (await login.json()) as { access_token: string };
    return { token, tenantId };
  }

  it('one chat request yields one connected trace under the caller’s traceparent', async () => {
    const { token, tenantId } = await verifiedUser();
    const traceId = hex(16);
    const parentId = hex(8);
    const response = await fetch(`${base}/api/v1/chat`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
        traceparent: `00-${traceId}-${parentId}-01`,
      },
      body: JSON.stringify({ message: 'Hello, traced world' }),
    });
    expect(response.status).toBe(200);
    const requestId = response.headers.get('x-request-id');

    // The server span ends last; once it is in, the trace is complete.
    await receiver.waitFor(() =>
      inTrace(traceId).some((span) => span.kind === SERVER && span.parentSpanId === parentId),
    );
    const spans = inTrace(traceId);
    const serverSpan = spans.find((span) => span.kind === SERVER) as ReceivedSpan;
    expect(serverSpan).toMatchObject({
      name: 'POST /api/v1/chat',
      parentSpanId: parentId,
      attributes: expect.objectContaining({
        'http.route': '/api/v1/chat',
        'http.response.status_code': 200,
        'tenant.id': tenantId,
      }) as unknown,
      resource: expect.objectContaining({ 'service.name': 'tracing-e2e' }) as unknown,
    });

    // Connected: every other span's parent is a span of this trace.
    const ids = new Set(spans.map((span) => span.spanId));
    for (const span of spans) {
      if (span !== serverSpan)
        expect({ span: span.name, parentKnown: ids.has(span.parentSpanId) }).toEqual({
          span: span.name,
          parentKnown: true,
        });
    }

    const agent = spans.find((span) => span.name.startsWith('invoke_agent '));
    expect(agent?.attributes).toMatchObject({
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.agent.name': 'triage',
      'chat.result': 'completed',
    });
    const model = spans.find((span) => span.attributes['gen_ai.operation.name'] === 'chat');
    expect(model).toMatchObject({ kind: CLIENT, parentSpanId: agent?.spanId });
    expect(model?.attributes).toMatchObject({
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': expect.any(String) as unknown,
      'gen_ai.usage.input_tokens': expect.any(Number) as unknown,
      'gen_ai.usage.output_tokens': expect.any(Number) as unknown,
    });
    expect(Number(model?.attributes['gen_ai.usage.output_tokens'])).toBeGreaterThan(0);

    // The outbound OpenAI call is a client span under the model span, and was told the trace.
    const outbound = spans.find(
      (span) => span.kind === CLIENT && span.parentSpanId === model?.spanId,
    );
    expect(outbound?.attributes['url.full']).toEqual(expect.stringContaining(`${openai.url}/v1/`));
    const sent = openai.modelRequests().at(-1);
    expect(sent?.headers.traceparent).toMatch(new RegExp(`^00-${traceId}-${outbound?.spanId}-01$`));

    // Database calls of the request are in the trace (real Postgres or the embedded wire).
    expect(
      spans.some(
        (span) =>
          span.attributes['db.system.name'] === 'postgresql' ||
          span.attributes['db.system'] === 'postgresql',
      ),
    ).toBe(true);
    if (process.env.TEST_REDIS_URL_RESOLVED) {
      expect(
        spans.some(
          (span) =>
            span.attributes['db.system.name'] === 'redis' ||
            span.attributes['db.system'] === 'redis',
        ),
      ).toBe(true);
    }

    // Every log line of the request carries its trace id (and a span id of it).
    const lines = server
      .stdout()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((record) => record.request_id === requestId);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) {
      expect(line.trace_id).toBe(traceId);
      expect(ids.has(String(line.span_id))).toBe(true);
    }
  }, 60_000);

  it('starts a new trace without traceparent and never traces probes', async () => {
    const before = receiver.spans.length;
    await fetch(`${base}/livez`);
    await fetch(`${base}/readyz`);
    const response = await fetch(`${base}/api/v1/agents`);
    expect(response.status).toBe(401);
    await receiver.waitFor((spans) =>
      spans
        .slice(before)
        .some((span) => span.kind === SERVER && span.name === 'GET /api/v1/agents'),
    );
    const fresh = receiver.spans.slice(before).filter((span) => span.kind === SERVER);
    const agents = fresh.filter((span) => span.name === 'GET /api/v1/agents');
    expect(agents).toHaveLength(1);
    expect(agents[0].parentSpanId).toBe('');
    expect(agents[0].attributes['http.response.status_code']).toBe(401);
    expect(fresh.filter((span) => /z$/.test(String(span.attributes['url.path'])))).toEqual([]);
  }, 30_000);
});
