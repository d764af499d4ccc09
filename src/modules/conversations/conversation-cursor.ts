import { RequestValidationException } from '../../platform/http/validation/request-validation.exception';
import { isUuid } from '../../platform/ids';

/** Position of the last conversation on a page: its exact `last_message_at` and id. */
export interface ConversationCursor {
  at: string;
  id: string;
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/;

/** Opaque to clients: base64url of `<timestamp>|<id>`. */
export function encodeCursor(cursor: ConversationCursor): string {
  return Buffer.from(`${cursor.at}|${cursor.id}`, 'utf8').toString('base64url');
}

/** Decodes a client cursor; anything we did not issue is a 422 on `query.cursor`. */
export function decodeCursor(raw: string): ConversationCursor {
  const [at, id, extra] = Buffer.from(raw, 'base64url').toString('utf8').split('|');
  if (extra !== undefined || !TIMESTAMP.test(at ?? '') || !isLowerCaseUuid(id)) {
    throw new RequestValidationException([
      {
        type: 'value_error',
        loc: ['query', 'cursor'],
        msg: 'Value error, invalid cursor',
        input: raw,
      },
    ]);
  }
  return { at, id };
}

/** Cursors carry ids as we store them: lower-case hyphenated. */
function isLowerCaseUuid(id: string | undefined): boolean {
  return isUuid(id) && id === id.toLowerCase();
}
