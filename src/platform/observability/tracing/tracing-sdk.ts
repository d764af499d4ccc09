import type { EnvMap } from '../../config/env-source';
import { TraceState } from './trace-state';
import { tracingConfigured } from './tracing-settings';

/** What the entry point keeps to flush spans on shutdown. */
export interface TracingHandle {
  shutdown(): Promise<void>;
}

export const DEFAULT_SERVICE_NAME = 'anything-agents-api';

/**
 * Starts the official OpenTelemetry Node SDK when an OTLP endpoint is configured, else returns
 * null without loading it. Must run before `http`, `pg` and `ioredis` are first required (the
 * entry points import `./register` first). Exporter, protocol, sampler, propagators and
 * resource come from the standard `OTEL_*` variables; traces only (metrics are Prometheus).
 * Database and Redis calls are traced only inside a traced operation, so the background
 * pollers' queries do not flood the collector with one-span traces. The HTTP instrumentation
 * traces outbound calls only: each request's server span is started by the request-context
 * middleware (`server-span.ts`), which already runs once per request.
 */
export function startTracing(env: EnvMap = process.env): TracingHandle | null {
  if (!tracingConfigured(env)) return null;
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded only when tracing is on */
  const { NodeSDK } =
    require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { HttpInstrumentation } =
    require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { UndiciInstrumentation } =
    require('@opentelemetry/instrumentation-undici') as typeof import('@opentelemetry/instrumentation-undici');
  const { PgInstrumentation } =
    require('@opentelemetry/instrumentation-pg') as typeof import('@opentelemetry/instrumentation-pg');
  const { IORedisInstrumentation } =
    require('@opentelemetry/instrumentation-ioredis') as typeof import('@opentelemetry/instrumentation-ioredis');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const sdk = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME ? undefined : DEFAULT_SERVICE_NAME,
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      // Inbound spans come from the request-context middleware (server-span.ts).
      new HttpInstrumentation({ disableIncomingRequestInstrumentation: true }),
      new UndiciInstrumentation(),
      new PgInstrumentation({ requireParentSpan: true }),
      new IORedisInstrumentation({ requireParentSpan: true }),
    ],
  });
  sdk.start();
  TraceState.setEnabled(true);
  return {
    async shutdown() {
      TraceState.setEnabled(false);
      await sdk.shutdown();
    },
  };
}
