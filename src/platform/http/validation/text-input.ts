import type { ValidationIssue } from './validation-issue';

type Loc = (string | number)[];

/**
 * Text Postgres cannot store (docs/text-input.md): `text`/`varchar` refuse NUL, `jsonb` refuses
 * `\u0000` and unpaired surrogate escapes, and the driver silently turns a lone surrogate into
 * U+FFFD in plain text columns. JSON bodies, query strings and path parameters carrying either
 * are refused with a 422; header values and signed webhook payloads are cleaned instead.
 */
export type TextProblem = 'nul' | 'lone_surrogate';

/** Cheap pre-test: most strings contain neither NUL nor any surrogate. */
const SUSPECT = /[\0\ud800-\udfff]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');

export const NUL_MESSAGE = 'Text must not contain NUL characters.';

export function textProblem(text: string): TextProblem | null {
  if (!SUSPECT.test(text)) return null;
  if (text.includes('\0')) return 'nul';
  return LONE_SURROGATE.test(text) ? 'lone_surrogate' : null;
}

function issueFor(problem: TextProblem, loc: Loc, input: string): ValidationIssue {
  if (problem === 'nul') {
    return {
      type: 'value_error',
      loc,
      msg: `Value error, ${NUL_MESSAGE}`,
      input,
      ctx: { error: NUL_MESSAGE },
    };
  }
  // pydantic's own error for a str it cannot encode (what the reference raises for surrogates).
  return {
    type: 'string_unicode',
    loc,
    msg: 'Input should be a valid string, unable to parse raw data as a unicode string',
    input,
  };
}

/**
 * One 422 issue per string or object key under `value` that Postgres could not store, in
 * document order, located under `root` (a key is reported pydantic-style as `[..., key, "[key]"]`).
 * Iterative, so a deeply nested body cannot exhaust the stack.
 */
export function findTextIssues(value: unknown, root: Loc): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const pending: { value: unknown; loc: Loc; key?: string }[] = [{ value, loc: root }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { value: current, loc, key } = next;
    if (key !== undefined) {
      const problem = textProblem(key);
      if (problem) issues.push(issueFor(problem, [...loc, key, '[key]'], key));
    } else if (typeof current === 'string') {
      const problem = textProblem(current);
      if (problem) issues.push(issueFor(problem, loc, current));
    } else if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i -= 1) {
        pending.push({ value: current[i], loc: [...loc, i] });
      }
    } else if (current !== null && typeof current === 'object') {
      const entries: [string, unknown][] = Object.entries(current as Record<string, unknown>);
      for (let i = entries.length - 1; i >= 0; i -= 1) {
        const [name, item] = entries[i];
        pending.push({ value: item, loc: [...loc, name] });
        pending.push({ value: undefined, loc, key: name });
      }
    }
  }
  return issues;
}

/** Free text made storable: NUL removed, lone surrogates replaced by U+FFFD. */
export function storableText(text: string): string {
  if (!SUSPECT.test(text)) return text;
  return text.replace(/\0/g, '').replace(LONE_SURROGATES, '\ufffd');
}

function storableReviver(_key: string, value: unknown): unknown {
  if (typeof value === 'string') return storableText(value);
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.some((key) => SUSPECT.test(key))) {
      return Object.fromEntries(
        Object.entries(value).map(([key, item]) => [storableText(key), item] as const),
      );
    }
  }
  return value;
}

/**
 * `JSON.parse` whose strings and keys are `storableText`. In well-formed (strictly decoded UTF-8)
 * JSON text, NUL and lone surrogates can only come from `\u` escapes, so text without one is
 * parsed as is.
 */
export function parseStorableJson(text: string): unknown {
  return text.includes('\\u') ? JSON.parse(text, storableReviver) : JSON.parse(text);
}
