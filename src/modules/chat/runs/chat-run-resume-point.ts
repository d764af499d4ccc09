import { RequestValidationException } from '../../../platform/http/validation/request-validation.exception';

const EVENT_ID = /^\d{1,10}$/;

/**
 * Where a resumed stream starts: after the event id of the `Last-Event-ID` header, else of the
 * `last_event_id` query, else from the first frame (0). A value that is not an event id (a
 * non-negative integer) is a 422 naming where it came from.
 */
export function resumePointOf(header: string | undefined, query: unknown): number {
  const candidates: [unknown, (string | number)[]][] = [
    [header, ['header', 'last-event-id']],
    [query, ['query', 'last_event_id']],
  ];
  for (const [raw, loc] of candidates) {
    if (raw === undefined) continue;
    const value = typeof raw === 'string' ? raw.trim() : raw;
    if (typeof value === 'string' && EVENT_ID.test(value)) return Number(value);
    throw new RequestValidationException([
      {
        type: 'int_parsing',
        loc,
        msg: 'Input should be an event_id of this run (a non-negative integer)',
        input: typeof raw === 'string' ? raw.slice(0, 64) : raw,
      },
    ]);
  }
  return 0;
}
