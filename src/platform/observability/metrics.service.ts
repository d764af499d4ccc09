import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Histogram buckets of every reference latency metric. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

interface MetricSpec<L extends string> {
  name: string;
  help: string;
  labelNames?: readonly L[];
}

/**
 * One Prometheus registry per application instance, so two apps in one process (tests, bench)
 * never collide on registration. Creation is idempotent: asking twice for a name returns the
 * metric already registered, which lets several modules share one family.
 */
export class MetricsService {
  readonly registry = new Registry();

  constructor(options: { defaultMetrics: boolean; defaultLabels?: Record<string, string> }) {
    if (options.defaultLabels) this.registry.setDefaultLabels(options.defaultLabels);
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry });
  }

  counter<L extends string>(spec: MetricSpec<L>): Counter<L> {
    return (
      this.existing<Counter<L>>(spec.name) ??
      new Counter<L>({ ...spec, labelNames: spec.labelNames ?? [], registers: [this.registry] })
    );
  }

  /** `collect`, when given, runs on every scrape to set the value (read-through gauges). */
  gauge<L extends string>(
    spec: MetricSpec<L> & { collect?: (this: Gauge<L>) => void | Promise<void> },
  ): Gauge<L> {
    return (
      this.existing<Gauge<L>>(spec.name) ??
      new Gauge<L>({ ...spec, labelNames: spec.labelNames ?? [], registers: [this.registry] })
    );
  }

  histogram<L extends string>(spec: MetricSpec<L> & { buckets?: number[] }): Histogram<L> {
    return (
      this.existing<Histogram<L>>(spec.name) ??
      new Histogram<L>({
        buckets: LATENCY_BUCKETS,
        ...spec,
        labelNames: spec.labelNames ?? [],
        registers: [this.registry],
      })
    );
  }

  /** Seconds since `startedAt` (from `performance.now()`), clamped at zero like the reference. */
  static secondsSince(startedAt: number): number {
    return Math.max(0, (performance.now() - startedAt) / 1000);
  }

  private existing<T>(name: string): T | undefined {
    return this.registry.getSingleMetric(name) as T | undefined;
  }
}

/** Label values callers can influence are bounded to a known set. */
export function boundedLabel(
  value: string | null | undefined,
  allowed: readonly string[] | null,
): string {
  const normalized = (value ?? '').trim().toLowerCase();
  if (!normalized) return 'unknown';
  if (allowed && !allowed.includes(normalized)) return 'other';
  return normalized;
}
