import type { Logger } from 'pino';
import type { WorkerMetrics } from './worker-metrics';

/**
 * A background loop: one tick at start, then one every `intervalMs` (a tick that reports more
 * work runs again at once), stoppable at any time. `stop()` interrupts the pause and waits for
 * the tick in progress, so shutdown never cuts a claimed batch in half. With `metrics`, every
 * tick is counted and time-stamped per worker name.
 */
export class PollingLoop {
  private running = false;
  private current?: Promise<void>;
  private wake?: () => void;

  constructor(
    private readonly name: string,
    private readonly intervalMs: number,
    private readonly tick: () => Promise<boolean>,
    private readonly log: Logger,
    private readonly metrics?: WorkerMetrics,
  ) {}

  get active(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.current = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.current;
  }

  private async run(): Promise<void> {
    this.log.info({ worker: this.name, interval_ms: this.intervalMs }, `${this.name} started`);
    this.metrics?.started(this.name);
    while (this.running) {
      let more = false;
      try {
        more = await this.tick();
        this.metrics?.polled(this.name, true);
      } catch (error) {
        this.metrics?.polled(this.name, false);
        this.log.error({ err: error, worker: this.name }, `${this.name} poll failed`);
      }
      if (!this.running) break;
      if (!more) await this.pause();
    }
    this.log.info({ worker: this.name }, `${this.name} stopped`);
  }

  private pause(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.intervalMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
