/**
 * Timestamp formats of the reference wire contract. JavaScript has millisecond precision, so
 * microseconds are the milliseconds padded with zeros; the fractional part is omitted when zero,
 * as pydantic and Python's isoformat do.
 */
function base(date: Date): { main: string; fraction: string } {
  const iso = date.toISOString(); // 2025-11-09T14:03:07.123Z
  const main = iso.slice(0, 19);
  const ms = iso.slice(20, 23);
  return { main, fraction: ms === '000' ? '' : `.${ms}000` };
}

/** Pydantic style for REST bodies: `2025-11-09T14:18:07.123000Z` / `2025-11-09T14:18:07Z`. */
export function isoZ(date: Date): string {
  const { main, fraction } = base(date);
  return `${main}${fraction}Z`;
}

/** Python `isoformat()` of an aware UTC datetime: `2025-11-07T10:00:00+00:00` (SSE, service accounts). */
export function isoOffset(date: Date): string {
  const { main, fraction } = base(date);
  return `${main}${fraction}+00:00`;
}

/** Health timestamps: naive UTC with microseconds, `2025-11-09T14:03:07.123456` (documented as UTC). */
export function isoNaiveMicros(date: Date): string {
  const iso = date.toISOString();
  return `${iso.slice(0, 23)}000`;
}

export function isoZOrNull(date: Date | null | undefined): string | null {
  return date ? isoZ(date) : null;
}

export function isoOffsetOrNull(date: Date | null | undefined): string | null {
  return date ? isoOffset(date) : null;
}
