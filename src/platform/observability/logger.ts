import pino, { type Logger, type LoggerOptions } from 'pino';
import { RequestContext } from './request-context';

/**
 * Paths redacted from every log object: credentials, tokens, secrets and personal data that
 * must never reach log storage (spec platform 10.3 C3).
 */
export const REDACTED_PATHS = [
  'password',
  'new_password',
  'current_password',
  'token',
  'access_token',
  'refresh_token',
  'secret',
  'client_secret',
  'authorization',
  'cookie',
  '*.password',
  '*.new_password',
  '*.current_password',
  '*.token',
  '*.access_token',
  '*.refresh_token',
  '*.secret',
  '*.authorization',
  '*.cookie',
  'headers.authorization',
  'headers.cookie',
  'headers["set-cookie"]',
  'headers["x-vault-payload"]',
  'headers["stripe-signature"]',
  'req.headers.authorization',
  'req.headers.cookie',
];

export interface CreateLoggerOptions {
  level: string;
  format: 'json' | 'pretty';
  name?: string;
  /** Where lines go; defaults to stdout. Tests pass a memory stream. */
  destination?: pino.DestinationStream;
}

/** The root pino logger. Request context (id, tenant, user) is mixed into every line. */
export function createLogger(options: CreateLoggerOptions): Logger {
  const config: LoggerOptions = {
    name: options.name ?? 'anything-agents',
    level: options.level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    messageKey: 'message',
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
    mixin() {
      const context = RequestContext.current();
      if (!context) return {};
      return {
        request_id: context.requestId,
        ...(context.tenantId ? { tenant_id: context.tenantId } : {}),
        ...(context.userId ? { user_id: context.userId } : {}),
      };
    },
  };
  if (options.format === 'pretty' && !options.destination) {
    // pretty output stays dependency-free: one readable line per record.
    return pino(config, prettyStream());
  }
  return options.destination ? pino(config, options.destination) : pino(config);
}

function prettyStream(): pino.DestinationStream {
  return {
    write(line: string) {
      try {
        const record = JSON.parse(line) as Record<string, unknown>;
        const { time, level, message, name, pid, ...rest } = record;
        void name;
        void pid;
        const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
        process.stdout.write(
          `${String(time)} ${String(level).toUpperCase()} ${typeof message === 'string' ? message : ''}${extra}\n`,
        );
      } catch {
        process.stdout.write(line);
      }
    },
  };
}
