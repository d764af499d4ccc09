import { DISPATCH_STATUSES, type DispatchStatus } from '../../modules/webhooks';

/** Shared option parsers of the `stripe-events` subcommands. */
export function parseStatus(value: string, allowAll: boolean): DispatchStatus | 'all' {
  const normalized = value.trim().toLowerCase();
  if (allowAll && normalized === 'all') return 'all';
  if ((DISPATCH_STATUSES as readonly string[]).includes(normalized)) {
    return normalized as DispatchStatus;
  }
  const allowed = [...DISPATCH_STATUSES, ...(allowAll ? ['all'] : [])].join(', ');
  throw new Error(`Invalid --status '${value}' (expected one of: ${allowed}).`);
}

export function parsePositiveInt(value: string, flag: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) {
    throw new Error(`${flag} must be a positive integer (got '${value}').`);
  }
  return parsed;
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
