import pino from 'pino';
import type { AppConfig } from '../../../src/platform/config/app-config';
import { loadConfig } from '../../../src/platform/config/load-config';
import { LoggerFactory } from '../../../src/platform/observability/logger.factory';
import { MetricsService } from '../../../src/platform/observability/metrics.service';
import { AuthMetrics } from '../../../src/modules/auth/auth.metrics';

/** A validated config from test env overrides (no dotenv files). */
export function testConfig(env: Record<string, string> = {}): AppConfig {
  return loadConfig({ ENVIRONMENT: 'test', ...env }, { readDotenvFiles: false });
}

export function silentLoggers(): LoggerFactory {
  return new LoggerFactory(pino({ level: 'silent' }));
}

export function authMetrics(): { metrics: MetricsService; auth: AuthMetrics } {
  const metrics = new MetricsService({ defaultMetrics: false });
  return { metrics, auth: new AuthMetrics(metrics) };
}
