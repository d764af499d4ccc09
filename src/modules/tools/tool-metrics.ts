import { Injectable } from '@nestjs/common';
import type { Counter, Histogram } from 'prom-client';
import { MetricsService } from '../../platform/observability/metrics.service';

/** `agent_tool_calls_total{tool,result}` and `agent_tool_duration_seconds` (new metrics). */
@Injectable()
export class ToolMetrics {
  private readonly calls: Counter<'tool' | 'result'>;
  private readonly duration: Histogram;

  constructor(metrics: MetricsService) {
    this.calls = metrics.counter({
      name: 'agent_tool_calls_total',
      help: 'Tool calls made by agents',
      labelNames: ['tool', 'result'],
    });
    this.duration = metrics.histogram({
      name: 'agent_tool_duration_seconds',
      help: 'Duration of agent tool calls',
    });
  }

  /**
   * Runs one tool invocation and records it: `result` is `error` when it throws or when
   * `failed` says the value reports a failure to the model.
   */
  async measure<T>(
    tool: string,
    run: () => Promise<T>,
    failed?: (value: T) => boolean,
  ): Promise<T> {
    const started = performance.now();
    try {
      const value = await run();
      this.calls.inc({ tool, result: failed?.(value) ? 'error' : 'success' });
      return value;
    } catch (error) {
      this.calls.inc({ tool, result: 'error' });
      throw error;
    } finally {
      this.duration.observe(MetricsService.secondsSince(started));
    }
  }
}
