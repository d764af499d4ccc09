import type { ValidationIssue } from './validation-issue';

/** Fields whose submitted value is never echoed in a 422 (docs/text-input.md), at any depth. */
export const SECRET_FIELDS: ReadonlySet<string> = new Set([
  'password',
  'current_password',
  'new_password',
  'refresh_token',
  'token',
  'signature',
]);

/** What replaces a secret value: the `input` key stays, as pydantic-style clients expect it. */
export const REDACTED = '[redacted]';

/** Nesting deeper than this is replaced whole rather than walked (bounded recursion). */
const MAX_DEPTH = 32;

function isSecretField(segment: string | number): boolean {
  return typeof segment === 'string' && SECRET_FIELDS.has(segment.toLowerCase());
}

/** A copy of `value` with the value under every secret key replaced by `REDACTED`. */
function redactNested(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return REDACTED;
  if (Array.isArray(value)) return value.map((item) => redactNested(item, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [
      key,
      isSecretField(key) ? REDACTED : redactNested(item, depth + 1),
    ]),
  );
}

/**
 * The issue as it may be shown to the client: `input` is `REDACTED` when the issue is located in
 * or under a secret field, and secret fields inside an object `input` are redacted. A `missing`
 * issue's input is the parent object (the field itself is absent), so only its parents count.
 */
export function redactIssue(issue: ValidationIssue): ValidationIssue {
  const owners = issue.type === 'missing' ? issue.loc.slice(1, -1) : issue.loc.slice(1);
  const input = owners.some(isSecretField) ? REDACTED : redactNested(issue.input, 0);
  return { ...issue, input };
}
