import type { BenchBackends } from '../lib/bench-database';
import type { LoadOptions, LoadResult } from '../lib/load';

export interface ScenarioContext {
  backends: BenchBackends;
  /** Shared load settings (duration, warm-up, connections) from the command line. */
  load: Pick<LoadOptions, 'durationSeconds' | 'warmupSeconds' | 'connections'>;
  /** Interleaved repetitions for throughput comparisons (median kept). */
  rounds: number;
}

export interface ScenarioOutcome {
  results: LoadResult[];
  /** Extra figures (ratios, memory, latency distributions) printed under the table. */
  notes: string[];
  /** Rows for scenarios that are not request/response shaped (streams, fan-out). */
  rows?: Record<string, string | number>[];
}

export interface Scenario {
  name: string;
  description: string;
  run(context: ScenarioContext): Promise<ScenarioOutcome>;
}
