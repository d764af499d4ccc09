import { Injectable, type OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { DatabaseHealth } from '../database/database.health';
import { LifecycleService } from '../lifecycle/lifecycle.service';
import { RedisService } from '../redis/redis.service';
import {
  ReadinessRegistry,
  type ReadinessCheckResult,
  type ReadinessReport,
} from './readiness.registry';
import { TimeoutError, withTimeout } from './with-timeout';

/** Short, stable failure reasons: probe bodies never carry raw exception text. */
export function failureCode(error: unknown): string {
  if (error instanceof TimeoutError) return 'timeout';
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[A-Z0-9_]+$/.test(code)) return code.toLowerCase();
  if (error instanceof Error && /^[a-z_]+$/.test(error.message)) return error.message;
  return 'unavailable';
}

/**
 * Runs every registered check with its own timeout and caches the report for one second, so a
 * storm of probes costs one round of checks. Shutting down makes the app not ready at once.
 */
@Injectable()
export class ReadinessService implements OnModuleInit {
  private cached?: { at: number; report: ReadinessReport };
  private inFlight?: Promise<ReadinessReport>;

  constructor(
    private readonly config: AppConfig,
    private readonly registry: ReadinessRegistry,
    private readonly lifecycle: LifecycleService,
    private readonly database: DatabaseHealth,
    private readonly redis: RedisService,
  ) {}

  onModuleInit(): void {
    this.registry.register('database', () => this.database.ping(), 'Database');
    this.registry.register('redis', () => this.redis.ping(this.timeoutMs()), 'Redis');
    this.registry.register('migrations', async () => {
      const pending = await this.database.pendingMigrations();
      if (pending.length > 0) throw new Error('schema_behind');
    });
  }

  async report(): Promise<ReadinessReport> {
    if (this.lifecycle.shuttingDown) {
      return {
        ok: false,
        checks: [{ name: 'shutdown', status: 'down', latency_ms: 0, error_code: 'shutting_down' }],
      };
    }
    const now = Date.now();
    if (this.cached && now - this.cached.at < 1000) return this.cached.report;
    this.inFlight ??= this.runChecks().finally(() => (this.inFlight = undefined));
    const report = await this.inFlight;
    this.cached = { at: Date.now(), report };
    return report;
  }

  /** The reference's failure line for `/health/ready`, e.g. "Database connectivity check failed: timeout". */
  legacyFailureMessage(report: ReadinessReport): string {
    const failed = report.checks.find((check) => check.status === 'down');
    if (!failed) return '';
    if (failed.name === 'shutdown') return 'Service is shutting down.';
    const label = this.registry.entries().find(([name]) => name === failed.name)?.[1].legacyLabel;
    return label
      ? `${label} connectivity check failed: ${failed.error_code ?? 'unavailable'}`
      : `Readiness check '${failed.name}' failed: ${failed.error_code ?? 'unavailable'}`;
  }

  private async runChecks(): Promise<ReadinessReport> {
    const checks = await Promise.all(
      this.registry.entries().map(async ([name, { check }]): Promise<ReadinessCheckResult> => {
        const started = performance.now();
        try {
          await withTimeout(check(), this.timeoutMs(name), 'timeout');
          return { name, status: 'up', latency_ms: Math.round(performance.now() - started) };
        } catch (error) {
          return {
            name,
            status: 'down',
            latency_ms: Math.round(performance.now() - started),
            error_code: failureCode(error),
          };
        }
      }),
    );
    return { ok: checks.every((c) => c.status === 'up'), checks };
  }

  private timeoutMs(name?: string): number {
    const seconds =
      name === 'database'
        ? this.config.DATABASE_HEALTH_TIMEOUT
        : this.config.HEALTH_CHECK_TIMEOUT_SECONDS;
    return seconds * 1000;
  }
}
