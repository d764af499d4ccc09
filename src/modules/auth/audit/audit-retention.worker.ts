import {
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { Logger } from 'pino';
import { AppConfig } from '../../../platform/config/app-config';
import { LifecycleService } from '../../../platform/lifecycle/lifecycle.service';
import { WorkerMetrics } from '../../../platform/lifecycle/worker-metrics';
import { PollingLoop } from '../../../platform/lifecycle/polling-loop';
import { LoggerFactory } from '../../../platform/observability/logger.factory';
import { AuditEventRepository } from './audit-event.repository';

const BATCH = 1000;
const HOUR_MS = 60 * 60 * 1000;

/**
 * Deletes audit events older than AUDIT_RETENTION_DAYS, hourly and in batches (0 keeps them
 * forever). Safe on any number of replicas: each batch skips rows another replica is deleting.
 */
@Injectable()
export class AuditRetentionWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log: Logger;
  private readonly loop: PollingLoop;

  constructor(
    private readonly config: AppConfig,
    private readonly events: AuditEventRepository,
    private readonly lifecycle: LifecycleService,
    loggers: LoggerFactory,
    workerMetrics: WorkerMetrics,
  ) {
    this.log = loggers.get('auth.audit');
    this.loop = new PollingLoop(
      'audit-retention',
      HOUR_MS,
      () => this.purge(),
      this.log,
      workerMetrics,
    );
  }

  onApplicationBootstrap(): void {
    if (this.config.AUDIT_RETENTION_DAYS === 0) return;
    this.lifecycle.onDrain(() => this.loop.stop());
    this.loop.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  /** One batch; true when there may be more to delete. */
  async purge(): Promise<boolean> {
    const deleted = await this.events.purgeOlderThan(this.config.AUDIT_RETENTION_DAYS, BATCH);
    if (deleted > 0) this.log.info({ deleted }, 'Purged audit events past retention');
    return deleted === BATCH;
  }
}
