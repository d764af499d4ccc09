import { startOtlpSink } from '../lib/otlp-sink';
import { measureInterleaved } from '../lib/repeat';
import { startServer } from '../lib/server-process';
import type { Scenario } from './scenario';

/**
 * Baselines: a bare NestJS route, the same route on our full stack, and /health; then the same
 * routes on a second full-stack server that traces every request and exports the spans over
 * OTLP (default protocol, http/protobuf) to a local sink, for the cost of tracing.
 */
export const httpScenario: Scenario = {
  name: 'http',
  description:
    'bare NestJS hello vs the foundation stack (hello, /health), tracing off vs exporting',
  async run(context) {
    const sink = await startOtlpSink();
    const bare = await startServer('bare-nest', {});
    const app = await startServer('app', context.backends.env);
    const traced = await startServer('app', {
      ...context.backends.env,
      OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
      OTEL_SERVICE_NAME: 'bench',
    });
    try {
      const target = (name: string, server: typeof app, path: string) => ({
        name,
        options: { url: `${server.url}${path}`, ...context.load },
        server,
      });
      const results = await measureInterleaved(
        [
          target('bare NestJS GET /bench/hello', bare, '/bench/hello'),
          target('app GET /bench/hello (full stack)', app, '/bench/hello'),
          target('app GET /health', app, '/health'),
          target('app GET /bench/hello (tracing exporting)', traced, '/bench/hello'),
          target('app GET /health (tracing exporting)', traced, '/health'),
        ],
        context.rounds,
      );
      const [bareHello, hello, health, tracedHello, tracedHealth] = results;
      const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(2) : '-');
      const overhead = (on: number | undefined, off: number | undefined) =>
        on !== undefined && off !== undefined && off > 0
          ? `${(((on - off) / off) * 100).toFixed(1)}% CPU/req`
          : '-';
      const { exports, bytes } = sink.stats();
      return {
        results,
        notes: [
          `full stack / bare hello: ${ratio(hello.requestsPerSecond, bareHello.requestsPerSecond)}`,
          `tracing exporting / off: hello ${ratio(tracedHello.requestsPerSecond, hello.requestsPerSecond)} req/s ` +
            `(${overhead(tracedHello.cpuMicrosPerRequest, hello.cpuMicrosPerRequest)}), ` +
            `/health ${ratio(tracedHealth.requestsPerSecond, health.requestsPerSecond)} req/s ` +
            `(${overhead(tracedHealth.cpuMicrosPerRequest, health.cpuMicrosPerRequest)})`,
          `OTLP sink received ${exports} exports, ${(bytes / 1024 / 1024).toFixed(1)} MiB`,
        ],
      };
    } finally {
      await bare.stop();
      await app.stop();
      await traced.stop();
      await sink.close();
    }
  },
};
