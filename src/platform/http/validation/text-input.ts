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
 * Deepest nesting a body, query or path value may have (objects and arrays, counted from the
 * value itself). Deeper input is refused with one issue where it crosses the limit: no API
 * field needs it, and recursive consumers further on (class-transformer did, `JSON.stringify`
 * of stored or logged values does) exhaust the stack a few thousand levels down: a 500.
 */
export const MAX_NESTING_DEPTH = 64;

export const NESTING_MESSAGE = `Value must not be nested more than ${MAX_NESTING_DEPTH} levels deep.`;

/** A location as a parent chain: built in O(1) per value, turned into an array only for an issue. */
interface LocNode {
  parent: LocNode | null;
  segment: string | number;
}

function locOf(root: Loc, node: LocNode | null): Loc {
  const segments: (string | number)[] = [];
  for (let current = node; current; current = current.parent) segments.push(current.segment);
  return [...root, ...segments.reverse()];
}

/**
 * One 422 issue per string or object key under `value` that Postgres could not store, in
 * document order, located under `root` (a key is reported pydantic-style as `[..., key, "[key]"]`),
 * and one per container nested deeper than `MAX_NESTING_DEPTH` (not walked further).
 * Iterative and linear in the size of the value, so a deeply nested body cannot exhaust the
 * stack or the CPU.
 */
export function findTextIssues(value: unknown, root: Loc): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const pending: { value: unknown; loc: LocNode | null; depth: number; key?: string }[] = [
    { value, loc: null, depth: 0 },
  ];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { value: current, loc, depth, key } = next;
    if (key !== undefined) {
      const problem = textProblem(key);
      if (problem) issues.push(issueFor(problem, [...locOf(root, loc), key, '[key]'], key));
    } else if (typeof current === 'string') {
      const problem = textProblem(current);
      if (problem) issues.push(issueFor(problem, locOf(root, loc), current));
    } else if (current !== null && typeof current === 'object' && depth >= MAX_NESTING_DEPTH) {
      issues.push({
        type: 'value_error',
        loc: locOf(root, loc),
        msg: `Value error, ${NESTING_MESSAGE}`,
        // Not the subtree itself: echoing it would send the deep value back.
        input: Array.isArray(current) ? [] : {},
        ctx: { error: NESTING_MESSAGE },
      });
    } else if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i -= 1) {
        pending.push({ value: current[i], loc: { parent: loc, segment: i }, depth: depth + 1 });
      }
    } else if (current !== null && typeof current === 'object') {
      const entries: [string, unknown][] = Object.entries(current as Record<string, unknown>);
      for (let i = entries.length - 1; i >= 0; i -= 1) {
        const [name, item] = entries[i];
        pending.push({ value: item, loc: { parent: loc, segment: name }, depth: depth + 1 });
        pending.push({ value: undefined, loc, depth, key: name });
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
