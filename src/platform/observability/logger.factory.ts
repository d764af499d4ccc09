import type { Logger } from 'pino';

/** Hands out named child loggers of the one root logger; inject it, never create pino yourself. */
export class LoggerFactory {
  constructor(readonly root: Logger) {}

  get(name: string): Logger {
    return this.root.child({ logger: name });
  }
}

type EventLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * A structured event (`{"event": "<name>", ...fields}`) as the reference emits on
 * `auth.observability`; the event name doubles as the message so plain-text readers see it.
 */
export function logEvent(
  logger: Logger,
  level: EventLevel,
  event: string,
  fields: Record<string, unknown> = {},
): void {
  logger[level]({ event, ...fields }, event);
}
