import { tool } from '@openai/agents';
import { z } from 'zod';
import type { ChatRunContext } from '../tool-context';
import type { ToolMetrics } from '../tool-metrics';

export const CURRENT_TIME_TOOL = 'get_current_time';

/** Formats a time as `YYYY-MM-DD HH:MM:SS UTC`. */
export function formatUtcTime(now: Date): string {
  return `${now.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function currentTimeTool(metrics: ToolMetrics, clock: () => Date = () => new Date()) {
  return tool<z.ZodObject<Record<string, never>>, ChatRunContext>({
    name: CURRENT_TIME_TOOL,
    description: 'Get the current date and time in UTC.',
    parameters: z.object({}),
    execute: () => metrics.measure(CURRENT_TIME_TOOL, async () => formatUtcTime(clock())),
  });
}
