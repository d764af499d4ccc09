import { trace } from '@opentelemetry/api';
import {
  activeTraceIds,
  annotateActiveSpan,
  inSpan,
  inStreamSpan,
  startTracing,
  TraceState,
} from '../../../src/platform/observability/tracing';
import {
  dotenvTracingVariables,
  tracingConfigured,
} from '../../../src/platform/observability/tracing/tracing-settings';

describe('tracing settings', () => {
  it.each([
    [{}, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, true],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }, true],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: '   ' }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'TRUE' }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'false' }, true],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'none' }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'otlp, none' }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'otlp' }, true],
  ])('%j -> %s', (env, expected) => {
    expect(tracingConfigured(env)).toBe(expected);
  });

  it('takes OTEL_* values from dotenv files only where the process env has none', () => {
    const processEnv = { OTEL_SERVICE_NAME: 'from-env', PATH: '/bin' };
    const merged = {
      ...processEnv,
      OTEL_SERVICE_NAME: 'from-env',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318',
      DATABASE_URL: 'postgres://x',
    };
    expect(dotenvTracingVariables(processEnv, merged)).toEqual({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318',
    });
  });

  it('does not start (or load) the SDK when no endpoint is configured', () => {
    expect(startTracing({ OTEL_SERVICE_NAME: 'x' })).toBeNull();
    expect(TraceState.enabled()).toBe(false);
  });
});

describe('span helpers with tracing off', () => {
  beforeEach(() => TraceState.setEnabled(false));

  it('runs the body with a non-recording span and starts no span', async () => {
    const startActiveSpan = jest.spyOn(trace, 'getTracer');
    const result = await inSpan('work', {}, async (span) => {
      span.setAttribute('ignored', 1);
      expect(span.isRecording()).toBe(false);
      return 42;
    });
    expect(result).toBe(42);
    expect(startActiveSpan).not.toHaveBeenCalled();
    expect(activeTraceIds()).toBeUndefined();
    annotateActiveSpan({ 'tenant.id': 't' });
    startActiveSpan.mockRestore();
  });

  it('passes a stream through, item by item, and propagates its failure', async () => {
    async function* source() {
      yield 1;
      yield 2;
      throw new Error('boom');
    }
    const seen: number[] = [];
    const out: number[] = [];
    await expect(
      (async () => {
        for await (const item of inStreamSpan('s', {}, source, (_span, n) => seen.push(n)))
          out.push(item);
      })(),
    ).rejects.toThrow('boom');
    expect(seen).toEqual([1, 2]);
    expect(out).toEqual([1, 2]);
  });
});
