export {
  createLogger,
  formatPrettyRecord,
  REDACTED_PATHS,
  resolveLogFormat,
  type LogFormat,
} from './logger';
export { LoggerFactory, logEvent } from './logger.factory';
export { boundedLabel, LATENCY_BUCKETS, MetricsService } from './metrics.service';
export { ObservabilityModule } from './observability.module';
export { PinoNestLogger } from './pino-nest-logger';
export { RequestContext, type RequestContextState } from './request-context';
export { ROOT_LOGGER } from './tokens';
