import {
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { Logger } from 'pino';
import { AppConfig } from '../../../platform/config/app-config';
import { LifecycleService } from '../../../platform/lifecycle/lifecycle.service';
import { WorkerMetrics } from '../../../platform/lifecycle/worker-metrics';
import { LoggerFactory } from '../../../platform/observability/logger.factory';
import { StripeEventDispatcher } from '../dispatch/stripe-event.dispatcher';
import { DispatchRepository } from '../events/dispatch.repository';
import { StripeEventRepository } from '../events/stripe-event.repository';
import { HandlerRegistry } from '../handlers/handler-registry';
import { WebhooksMetrics } from '../webhooks.metrics';
import { PollingLoop } from '../../../platform/lifecycle/polling-loop';

const ORPHAN_BATCH = 100;
/** A pending row this fresh is being dispatched by the process that stored it. */
const PENDING_GRACE_SECONDS = 10;

/**
 * The dispatch retry worker (decisions B2/P12), on when ENABLE_BILLING_RETRY_WORKER: each poll
 * claims a batch of due rows with FOR UPDATE SKIP LOCKED and a lease (failed rows whose retry time
 * came, pending rows nobody dispatched, in-progress rows whose lease lapsed), so any number of
 * replicas share the work and never run one row twice; it also gives dispatch rows to stored events
 * that have none. Stops on drain.
 */
@Injectable()
export class DispatchRetryWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log: Logger;
  private readonly loop: PollingLoop;

  constructor(
    private readonly config: AppConfig,
    private readonly dispatches: DispatchRepository,
    private readonly events: StripeEventRepository,
    private readonly registry: HandlerRegistry,
    private readonly dispatcher: StripeEventDispatcher,
    private readonly metrics: WebhooksMetrics,
    private readonly lifecycle: LifecycleService,
    loggers: LoggerFactory,
    workerMetrics: WorkerMetrics,
  ) {
    this.log = loggers.get('anything-agents.services.stripe_retry_worker');
    this.loop = new PollingLoop(
      'stripe-retry-worker',
      Math.round(config.BILLING_RETRY_POLL_SECONDS * 1000),
      () => this.poll(),
      this.log,
      workerMetrics,
    );
  }

  onApplicationBootstrap(): void {
    if (!this.config.ENABLE_BILLING_RETRY_WORKER) {
      this.log.info('Stripe retry worker disabled (ENABLE_BILLING_RETRY_WORKER=false)');
      return;
    }
    this.lifecycle.onDrain(() => this.loop.stop());
    this.loop.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  /** One poll; true when the batch was full (more may be due). */
  async poll(): Promise<boolean> {
    await this.adoptOrphans();
    const batch = this.config.BILLING_RETRY_BATCH_SIZE;
    const lease = this.config.BILLING_DISPATCH_LEASE_SECONDS;
    const rows = await this.dispatches.claimDue(
      batch,
      lease,
      Math.min(PENDING_GRACE_SECONDS, lease),
    );
    for (const row of rows) {
      const result = await this.dispatcher.run(row, 'retry');
      const outcome = result.status === 'completed' ? 'success' : 'failed';
      this.metrics.retries.inc({ handler: row.handler, result: outcome });
      this.log.info(
        {
          dispatch_id: row.id,
          handler: row.handler,
          attempts: row.attempts,
          status: result.status,
        },
        `Stripe dispatch retried: ${result.status}`,
      );
    }
    await this.dispatcher.refreshDeadLetters();
    return rows.length === batch;
  }

  /**
   * Stored events without dispatch rows (stored by older code or by hand) get their row and are
   * dispatched now; the atomic claim keeps two replicas adopting one orphan from both running it.
   */
  private async adoptOrphans(): Promise<void> {
    for (const orphan of await this.events.findOrphans(ORPHAN_BATCH)) {
      const handler = this.registry.forType(orphan.eventType);
      if (!handler) continue;
      await this.dispatches.createPending(orphan.id, handler.name);
      for (const result of await this.dispatcher.dispatchEvent(orphan.id, 'retry')) {
        this.metrics.retries.inc({
          handler: result.handler,
          result: result.status === 'completed' ? 'success' : 'failed',
        });
      }
    }
  }
}
