import { isISO8601, registerDecorator, type ValidationOptions } from 'class-validator';

/**
 * RFC 3339 date-time: date, `T`, time to the minute or second with up to microseconds (what
 * Postgres keeps), and a zone (`Z` or an offset within ±14:59). Narrower than ISO 8601 on
 * purpose: week dates, ordinal dates, zone-less local times and offsets Postgres refuses
 * would otherwise pass `isISO8601` and fail as a 500 in SQL.
 */
const DATE_TIME =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-](0\d|1[0-4]):?[0-5]\d)$/i;

/** Whether `value` is a date-time string Postgres reads as a `timestamptz`. */
export function isDateTime(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    DATE_TIME.test(value) &&
    // Calendar check (no February 30th, no hour 24) and no year 0, which Postgres refuses.
    isISO8601(value, { strict: true }) &&
    !value.startsWith('0000')
  );
}

/**
 * A query or body field that must be an RFC 3339 date-time (`isDateTime`). Registered under
 * class-validator's `isIso8601` name, so the 422 issue is pydantic's datetime error.
 */
export function IsDateTime(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'isIso8601',
      target: target.constructor,
      propertyName: String(propertyName),
      options: { message: 'Input should be a valid datetime', ...options },
      validator: { validate: (value: unknown) => isDateTime(value) },
    });
  };
}
