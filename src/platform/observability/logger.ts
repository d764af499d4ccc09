import pino, { type Logger, type LoggerOptions } from 'pino';
import { RequestContext } from './request-context';
import { activeTraceIds } from './tracing/spans';

/**
 * Paths redacted from every log object: credentials, tokens, secrets and personal data that
 * must never reach log storage (decision P4).
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

export type LogFormat = 'json' | 'pretty';

/**
 * The effective log format: an explicit `json` or `pretty` wins; `auto` (the default) is
 * human-readable on an interactive terminal in development and JSON otherwise (pipes, files,
 * containers), and always JSON in production.
 */
export function resolveLogFormat(
  setting: string,
  where: { production: boolean; tty: boolean },
): LogFormat {
  if (setting === 'json' || setting === 'pretty') return setting;
  return !where.production && where.tty ? 'pretty' : 'json';
}

export interface CreateLoggerOptions {
  level: string;
  format: LogFormat;
  name?: string;
  /** Where lines go; defaults to stdout. Tests pass a memory stream. */
  destination?: pino.DestinationStream;
}

/**
 * The root pino logger. Request context (id, tenant, user) and, when tracing, the trace and span
 * ids are mixed into every line.
 */
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
      // trace_id/span_id when the line is written inside a traced operation (tracing on).
      const traceIds = activeTraceIds();
      if (!context) return traceIds ?? {};
      return {
        ...traceIds,
        request_id: context.requestId,
        ...(context.tenantId ? { tenant_id: context.tenantId } : {}),
        ...(context.userId ? { user_id: context.userId } : {}),
      };
    },
  };
  if (options.format === 'pretty') {
    // Pretty output stays dependency-free: pino writes JSON, each record is re-rendered.
    const target = options.destination ?? process.stdout;
    const color = !options.destination && process.stdout.isTTY === true && !process.env.NO_COLOR;
    return pino(config, prettyStream(target, color));
  }
  return options.destination ? pino(config, options.destination) : pino(config);
}

const LEVEL_COLORS: Record<string, string> = {
  trace: '\x1b[90m',
  debug: '\x1b[90m',
  info: '\x1b[32m',
  warn: '\x1b[33m',
  error: '\x1b[31m',
  fatal: '\x1b[35m',
};
const DIM = '\x1b[2m';
const RESET = '\x1b[0m';
/** Fields every record has, shown in the line's head (or not at all). */
const HEAD_FIELDS = new Set([
  'time',
  'level',
  'message',
  'msg',
  'name',
  'pid',
  'hostname',
  'logger',
]);

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

function clock(time: unknown): string {
  const date = new Date(typeof time === 'string' || typeof time === 'number' ? time : Date.now());
  if (Number.isNaN(date.getTime())) return String(time);
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

/** True when the message already shows every value of a field (pretty output omits it). */
function alreadySaid(value: unknown, message: string): boolean {
  if (typeof value === 'string') return value !== '' && message.includes(value);
  if (typeof value === 'number' || typeof value === 'boolean')
    return message.includes(String(value));
  if (Array.isArray(value)) return value.length > 0 && value.every((v) => alreadySaid(v, message));
  if (typeof value === 'object' && value !== null) {
    const values = Object.values(value);
    return values.length > 0 && values.every((v) => alreadySaid(v, message));
  }
  return false;
}

function fieldValue(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value) ?? String(value);
}

/**
 * One record as a human reads it: `12:00:01.123 WARN  [auth.keys] message key=value ...`, with
 * only the fields the message does not already show; further message lines and error stacks are
 * indented under it. JSON output keeps every field.
 */
export function formatPrettyRecord(record: Record<string, unknown>, color = false): string {
  const level = typeof record.level === 'string' ? record.level : 'info';
  const paint = (code: string | undefined, text: string) =>
    color && code ? `${code}${text}${RESET}` : text;
  const rawMessage = record.message ?? record.msg;
  const message = typeof rawMessage === 'string' ? rawMessage : '';
  const [first, ...more] = message.split('\n');
  const logger = typeof record.logger === 'string' ? `[${record.logger}] ` : '';
  const fields: string[] = [];
  let stack: string | undefined;
  for (const [key, value] of Object.entries(record)) {
    if (HEAD_FIELDS.has(key) || value === undefined) continue;
    if (alreadySaid(value, message) || (key === 'event' && value === record.logger)) continue;
    if (key === 'err' && typeof value === 'object' && value !== null && 'stack' in value) {
      stack = String(value.stack);
      continue;
    }
    fields.push(`${key}=${fieldValue(value)}`);
  }
  const head = `${paint(DIM, clock(record.time))} ${paint(LEVEL_COLORS[level], level.toUpperCase().padEnd(5))}`;
  const extra = fields.length > 0 ? ` ${paint(DIM, fields.join(' '))}` : '';
  const indent = ' '.repeat(19);
  const tail = [...more, ...(stack ? stack.split('\n') : [])].map((line) => `${indent}${line}`);
  return [`${head} ${paint(DIM, logger)}${first}${extra}`, ...tail].join('\n') + '\n';
}

function prettyStream(
  target: pino.DestinationStream | NodeJS.WritableStream,
  color: boolean,
): pino.DestinationStream {
  return {
    write(line: string) {
      let text: string;
      try {
        text = formatPrettyRecord(JSON.parse(line) as Record<string, unknown>, color);
      } catch {
        text = line;
      }
      target.write(text);
    },
  };
}
