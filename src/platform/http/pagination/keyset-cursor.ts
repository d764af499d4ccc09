import { isUuid } from '../../ids';
import { RequestValidationException } from '../validation/request-validation.exception';

/**
 * Position of the last row of a page in a list sorted by (timestamp, id): the timestamp exactly
 * as Postgres renders it to the microsecond (`keysetTimestampSql`), and the row's id.
 */
export interface KeysetCursor {
  at: string;
  id: string;
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/;

/** SQL rendering a timestamptz column as a cursor's `at` (UTC, microseconds, no zone). */
export function keysetTimestampSql(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')`;
}

/** Opaque to clients: base64url of `<timestamp>|<id>`. */
export function encodeKeysetCursor(cursor: KeysetCursor): string {
  return Buffer.from(`${cursor.at}|${cursor.id}`, 'utf8').toString('base64url');
}

/** Decodes a client cursor; anything we did not issue is a 422 on `query.<field>`. */
export function decodeKeysetCursor(raw: string, field = 'cursor'): KeysetCursor {
  const [at, id, extra] = Buffer.from(raw, 'base64url').toString('utf8').split('|');
  if (extra !== undefined || !TIMESTAMP.test(at ?? '') || !isLowerCaseUuid(id)) {
    throw new RequestValidationException([
      {
        type: 'value_error',
        loc: ['query', field],
        msg: 'Value error, invalid cursor',
        input: raw,
      },
    ]);
  }
  return { at, id };
}

/** Cursors carry ids as we store them: lower-case hyphenated. */
function isLowerCaseUuid(id: string | undefined): id is string {
  return isUuid(id) && id === id.toLowerCase();
}
