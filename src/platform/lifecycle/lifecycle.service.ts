import { Injectable } from '@nestjs/common';

type DrainHandler = () => void | Promise<void>;

/**
 * Process lifecycle state shared by probes, streams and workers: when startup completed, whether
 * a shutdown began (readiness turns 503 at once, decision P6), and who must be told to drain.
 */
@Injectable()
export class LifecycleService {
  readonly processStartedAt = Date.now();
  private startupCompleteAt?: number;
  private shuttingDownSince?: number;
  private readonly drainHandlers = new Set<DrainHandler>();

  markStarted(): void {
    this.startupCompleteAt ??= Date.now();
  }

  get started(): boolean {
    return this.startupCompleteAt !== undefined;
  }

  get shuttingDown(): boolean {
    return this.shuttingDownSince !== undefined;
  }

  /** Open streams and workers register here; the handler is removed by calling the result. */
  onDrain(handler: DrainHandler): () => void {
    this.drainHandlers.add(handler);
    return () => this.drainHandlers.delete(handler);
  }

  /** Flips readiness to 503 and asks every registered stream/worker to finish. */
  async beginShutdown(): Promise<void> {
    if (this.shuttingDown) return;
    this.shuttingDownSince = Date.now();
    const handlers = [...this.drainHandlers];
    this.drainHandlers.clear();
    await Promise.allSettled(handlers.map(async (handler) => handler()));
  }
}
