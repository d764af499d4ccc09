import { Injectable } from '@nestjs/common';
import type { Counter, Gauge } from 'prom-client';
import { MetricsService } from '../observability/metrics.service';

/**
 * Liveness of the background workers, per worker name: a heartbeat after every poll, the time
 * of the last poll that succeeded, and polls by result. An alert on `time() - last_success`
 * catches a worker that still runs but keeps failing; one on the heartbeat, a worker that hangs.
 */
@Injectable()
export class WorkerMetrics {
  private readonly heartbeat: Gauge<'worker'>;
  private readonly lastSuccess: Gauge<'worker'>;
  private readonly runs: Counter<'worker' | 'result'>;

  constructor(metrics: MetricsService) {
    this.heartbeat = metrics.gauge({
      name: 'background_worker_heartbeat_timestamp_seconds',
      help: 'Unix time of the last poll of a background worker, whatever its outcome',
      labelNames: ['worker'],
    });
    this.lastSuccess = metrics.gauge({
      name: 'background_worker_last_success_timestamp_seconds',
      help: 'Unix time of the last successful poll of a background worker (0: none yet)',
      labelNames: ['worker'],
    });
    this.runs = metrics.counter({
      name: 'background_worker_runs_total',
      help: 'Background worker polls by result',
      labelNames: ['worker', 'result'],
    });
  }

  /** A worker starts: its series exist from now on (last success 0 until one succeeds). */
  started(worker: string): void {
    this.lastSuccess.set({ worker }, 0);
    this.runs.inc({ worker, result: 'success' }, 0);
    this.runs.inc({ worker, result: 'failure' }, 0);
  }

  polled(worker: string, ok: boolean): void {
    const now = Date.now() / 1000;
    this.heartbeat.set({ worker }, now);
    if (ok) this.lastSuccess.set({ worker }, now);
    this.runs.inc({ worker, result: ok ? 'success' : 'failure' });
  }
}
