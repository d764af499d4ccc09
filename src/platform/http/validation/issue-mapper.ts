import { getMetadataStorage, type ValidationError } from 'class-validator';
import type { ValidationIssue } from './validation-issue';

type Loc = (string | number)[];

/** The arguments a decorator was declared with (e.g. 8 for `@MinLength(8)`), for `ctx`. */
function constraintArgs(error: ValidationError, name: string): unknown[] {
  const target = error.target?.constructor;
  if (!target) return [];
  const metadata = getMetadataStorage()
    .getTargetValidationMetadatas(target, '', true, false)
    .find((m) => m.propertyName === error.property && (m.name === name || m.type === name));
  return (metadata?.constraints as unknown[] | undefined) ?? [];
}

function describeValue(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
}

/** Maps one failed class-validator constraint to the pydantic-v2 `type`/`msg`/`ctx` triple. */
function mapConstraint(
  name: string,
  message: string,
  value: unknown,
  args: unknown[],
): Pick<ValidationIssue, 'type' | 'msg' | 'ctx'> {
  switch (name) {
    case 'isString':
      return { type: 'string_type', msg: 'Input should be a valid string' };
    case 'isInt':
      if (typeof value === 'string') {
        return {
          type: 'int_parsing',
          msg: 'Input should be a valid integer, unable to parse string as an integer',
        };
      }
      if (typeof value === 'number') {
        return {
          type: 'int_from_float',
          msg: 'Input should be a valid integer, got a number with a fractional part',
        };
      }
      return { type: 'int_type', msg: 'Input should be a valid integer' };
    case 'isNumber':
      return typeof value === 'string'
        ? {
            type: 'float_parsing',
            msg: 'Input should be a valid number, unable to parse string as a number',
          }
        : { type: 'float_type', msg: 'Input should be a valid number' };
    case 'isBoolean':
      return typeof value === 'string'
        ? {
            type: 'bool_parsing',
            msg: 'Input should be a valid boolean, unable to interpret input',
          }
        : { type: 'bool_type', msg: 'Input should be a valid boolean' };
    case 'minLength':
      return {
        type: 'string_too_short',
        msg: `String should have at least ${String(args[0])} character${args[0] === 1 ? '' : 's'}`,
        ctx: { min_length: args[0] },
      };
    case 'maxLength':
      return {
        type: 'string_too_long',
        msg: `String should have at most ${String(args[0])} character${args[0] === 1 ? '' : 's'}`,
        ctx: { max_length: args[0] },
      };
    case 'isLength': {
      const [min, max] = args as [number, number | undefined];
      const tooShort = typeof value === 'string' && value.length < min;
      return tooShort
        ? {
            type: 'string_too_short',
            msg: `String should have at least ${min} characters`,
            ctx: { min_length: min },
          }
        : {
            type: 'string_too_long',
            msg: `String should have at most ${String(max)} characters`,
            ctx: { max_length: max },
          };
    }
    case 'min':
      return {
        type: 'greater_than_equal',
        msg: `Input should be greater than or equal to ${String(args[0])}`,
        ctx: { ge: args[0] },
      };
    case 'max':
      return {
        type: 'less_than_equal',
        msg: `Input should be less than or equal to ${String(args[0])}`,
        ctx: { le: args[0] },
      };
    case 'isPositive':
      return { type: 'greater_than', msg: 'Input should be greater than 0', ctx: { gt: 0 } };
    case 'isUuid':
      return { type: 'uuid_parsing', msg: 'Input should be a valid UUID' };
    case 'isEmail':
      return {
        type: 'value_error',
        msg: 'value is not a valid email address',
        ctx: { reason: 'invalid email syntax' },
      };
    case 'isIn': {
      const allowed = (args[0] as unknown[] | undefined) ?? [];
      const list = allowed.map(describeValue);
      const expected =
        list.length > 1
          ? `${list.slice(0, -1).join(', ')} or ${list[list.length - 1]}`
          : list.join('');
      return { type: 'literal_error', msg: `Input should be ${expected}`, ctx: { expected } };
    }
    case 'isObject':
      return { type: 'dict_type', msg: 'Input should be a valid dictionary' };
    case 'isArray':
      return { type: 'list_type', msg: 'Input should be a valid list' };
    case 'arrayMinSize':
    case 'arrayNotEmpty': {
      const min = name === 'arrayNotEmpty' ? 1 : args[0];
      return {
        type: 'too_short',
        msg: `List should have at least ${String(min)} item${min === 1 ? '' : 's'}`,
        ctx: { min_length: min },
      };
    }
    case 'arrayMaxSize':
      return {
        type: 'too_long',
        msg: `List should have at most ${String(args[0])} items`,
        ctx: { max_length: args[0] },
      };
    case 'isIso8601':
    case 'isDateString':
      return { type: 'datetime_from_date_parsing', msg: 'Input should be a valid datetime' };
    case 'matches':
      return {
        type: 'string_pattern_mismatch',
        msg: `String should match pattern '${String(args[0])}'`,
        ctx: { pattern: String(args[0]) },
      };
    case 'whitelistValidation':
      return { type: 'extra_forbidden', msg: 'Extra inputs are not permitted' };
    default:
      // Custom validators: the reference's value_error, with the message stringified in ctx.error.
      return { type: 'value_error', msg: `Value error, ${message}`, ctx: { error: message } };
  }
}

/** Flattens class-validator errors (with nesting) into pydantic-style issues under `root`. */
export function toIssues(
  errors: ValidationError[],
  root: Loc,
  parentInput: unknown,
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const error of errors) {
    const loc = [...root, /^\d+$/.test(error.property) ? Number(error.property) : error.property];
    if (error.value === undefined && error.constraints) {
      issues.push({ type: 'missing', loc, msg: 'Field required', input: parentInput ?? {} });
      continue;
    }
    for (const [name, message] of Object.entries(error.constraints ?? {})) {
      issues.push({
        loc,
        input: error.value,
        ...mapConstraint(name, message, error.value, constraintArgs(error, name)),
      });
    }
    if (error.children?.length) issues.push(...toIssues(error.children, loc, error.value));
  }
  return issues;
}
