import { RequestValidationException } from '../../platform/http/validation/request-validation.exception';

/** The request `context` a run sees: scalar entries under well-formed keys. */
export type ClientContext = Readonly<Record<string, string | number | boolean | null>>;

/** Keys a run receives: identifier-like, so they render safely in the instructions. */
const KEY_PATTERN = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
/** At most this many entries reach the run; the rest are dropped (in key order of the request). */
export const MAX_CONTEXT_ENTRIES = 32;

export const EMPTY_CLIENT_CONTEXT: ClientContext = Object.freeze({});

/**
 * The request's `context` as the run sees it (docs/chat-runs.md). The reference accepted any
 * object and ignored it, so nothing that was accepted before is refused except what is too large:
 * over `maxBytes` of JSON is a 422 on `body.context`. Of the rest, only scalar values under
 * identifier-like keys reach the run (nested objects and arrays are dropped, not refused).
 */
export function clientContextOf(
  context: Record<string, unknown> | null | undefined,
  maxBytes: number,
): ClientContext {
  if (!context) return EMPTY_CLIENT_CONTEXT;
  const bytes = Buffer.byteLength(JSON.stringify(context), 'utf8');
  if (bytes > maxBytes) {
    throw new RequestValidationException([
      {
        type: 'context_too_large',
        loc: ['body', 'context'],
        msg: `Context should be at most ${maxBytes} bytes of JSON, got ${bytes}`,
        input: null,
        ctx: { max_bytes: maxBytes },
      },
    ]);
  }
  const kept: Record<string, string | number | boolean | null> = {};
  let count = 0;
  for (const [key, value] of Object.entries(context)) {
    if (count >= MAX_CONTEXT_ENTRIES) break;
    if (!KEY_PATTERN.test(key) || !isScalar(value)) continue;
    kept[key] = value;
    count += 1;
  }
  return count === 0 ? EMPTY_CLIENT_CONTEXT : Object.freeze(kept);
}

function isScalar(value: unknown): value is string | number | boolean | null {
  return (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value))
  );
}
