import pino from 'pino';
import { PollingLoop } from '../../../src/platform/lifecycle/polling-loop';
import { WorkerMetrics } from '../../../src/platform/lifecycle/worker-metrics';
import { MetricsService } from '../../../src/platform/observability/metrics.service';

describe('background worker metrics', () => {
  async function value(metrics: MetricsService, name: string, labels: Record<string, string>) {
    const metric = await metrics.registry.getSingleMetric(name)?.get();
    return metric?.values.find((v) =>
      Object.entries(labels).every(([key, wanted]) => v.labels[key] === wanted),
    )?.value;
  }

  it('stamps every poll, the last success, and counts polls by result', async () => {
    const metrics = new MetricsService({ defaultMetrics: false });
    const workers = new WorkerMetrics(metrics);
    // A poll that fails, then the loop pauses (60 s) until it is stopped.
    const loop = new PollingLoop(
      'test-worker',
      60_000,
      () => Promise.reject(new Error('database down')),
      pino({ level: 'silent' }),
      workers,
    );
    const before = Date.now() / 1000;
    loop.start();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await loop.stop();

    const worker = { worker: 'test-worker' };
    expect(
      await value(metrics, 'background_worker_runs_total', { ...worker, result: 'failure' }),
    ).toBe(1);
    expect(
      await value(metrics, 'background_worker_runs_total', { ...worker, result: 'success' }),
    ).toBe(0);
    expect(await value(metrics, 'background_worker_last_success_timestamp_seconds', worker)).toBe(
      0,
    );
    const heartbeat = await value(metrics, 'background_worker_heartbeat_timestamp_seconds', worker);
    expect(heartbeat).toBeGreaterThanOrEqual(before);

    workers.polled('test-worker', true);
    expect(
      await value(metrics, 'background_worker_last_success_timestamp_seconds', worker),
    ).toBeGreaterThanOrEqual(before);
    expect(
      await value(metrics, 'background_worker_runs_total', { ...worker, result: 'success' }),
    ).toBe(1);
  });
});
