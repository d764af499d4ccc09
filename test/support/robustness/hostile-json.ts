import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { JsonSchema } from './route-catalog';

/**
 * fast-check arbitraries of hostile JSON *text* (bytes, not values: invalid UTF-8, raw number
 * literals such as `1e400`, duplicate and `__proto__` keys cannot be expressed as JS values).
 * Each fragment carries a short note, so a failing case says what it was made of.
 */
export interface Fragment {
  bytes: Buffer;
  note: string;
}

const frag = (text: string | Buffer, note: string): Fragment => ({
  bytes: Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8'),
  note,
});

const json = (value: unknown, note: string): Fragment => frag(JSON.stringify(value), note);

/** The JSON text of a string without its quotes (escapes kept, lone surrogates escaped). */
const inner = (text: string): string => JSON.stringify(text).slice(1, -1);

const benignText = fc.string({ unit: 'grapheme', maxLength: 24 });

/** Byte sequences that are not UTF-8: lone continuation, overlong NUL, CESU surrogate, > U+10FFFF, truncated. */
const INVALID_UTF8: number[][] = [
  [0xff],
  [0xfe, 0xff],
  [0x80],
  [0xc0, 0x80],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0xe2, 0x82],
];

export const nulText: fc.Arbitrary<Fragment> = fc
  .tuple(benignText, benignText)
  .map(([a, b]) => json(`${a}\u0000${b}`, 'NUL in a string'));

export const loneSurrogateText: fc.Arbitrary<Fragment> = fc
  .tuple(benignText, fc.integer({ min: 0xd800, max: 0xdfff }), benignText)
  .map(([a, unit, b]) => json(a + String.fromCharCode(unit) + b, 'lone surrogate'));

export const invalidUtf8Text: fc.Arbitrary<Fragment> = fc
  .tuple(benignText, fc.constantFrom(...INVALID_UTF8), benignText)
  .map(([a, bytes, b]) =>
    frag(
      Buffer.concat([Buffer.from(`"${inner(a)}`), Buffer.from(bytes), Buffer.from(`${inner(b)}"`)]),
      'invalid UTF-8 bytes',
    ),
  );

export const hugeText: fc.Arbitrary<Fragment> = fc
  .tuple(fc.integer({ min: 5_000, max: 150_000 }), fc.constantFrom('x', 'é', '🚀', '\u202e', ' '))
  .map(([length, unit]) =>
    json(unit.repeat(Math.ceil(length / unit.length)), `huge string (${length})`),
  );

export const oddText: fc.Arbitrary<Fragment> = fc.oneof(
  benignText.map((text) => json(text, 'text')),
  fc
    .constantFrom(
      '',
      ' ',
      '\t\n',
      '🚀👩‍👩‍👧',
      '\u202eevil',
      '\ufeffbom',
      '../../etc/passwd',
      "' OR 1=1 --",
      '<script>',
    )
    .map((text) => json(text, 'odd text')),
  invalidUtf8Text,
  hugeText,
);

export const hostileNumber: fc.Arbitrary<Fragment> = fc.oneof(
  fc
    .constantFrom(
      '1e400',
      '-1e400',
      '1e308',
      '-0',
      '0',
      '0.5',
      '1e-400',
      '9007199254740993',
      '-9007199254740993',
      '2147483648',
      '-2147483649',
      '123456789012345678901234567890',
    )
    .map((text) => frag(text, `number ${text}`)),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => json(n, `number ${n}`)),
  fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }).map((n) => frag(n.toString(), `integer ${n}`)),
);

/** Arrays or objects nested up to tens of thousands of levels (well inside the body limit). */
export const deepNesting: fc.Arbitrary<Fragment> = fc
  .tuple(
    fc.oneof(
      fc.integer({ min: 1, max: 60 }),
      fc.integer({ min: 60, max: 3_000 }),
      fc.integer({ min: 3_000, max: 40_000 }),
    ),
    fc.boolean(),
  )
  .map(([depth, arrays]) =>
    arrays
      ? frag(`${'['.repeat(depth)}${']'.repeat(depth)}`, `arrays nested ${depth} deep`)
      : frag(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`, `objects nested ${depth} deep`),
  );

export const hugeArray: fc.Arbitrary<Fragment> = fc
  .integer({ min: 1_000, max: 60_000 })
  .map((length) => frag(`[${'0,'.repeat(length - 1)}0]`, `array of ${length}`));

/** Values a prototype-pollution attempt sends under `__proto__`, `constructor` and friends. */
export const pollutionPayload: fc.Arbitrary<Fragment> = fc
  .constantFrom(
    '{"polluted":"yes","isAdmin":true}',
    '{"prototype":{"polluted":"yes"}}',
    '{"__proto__":{"polluted":"yes"}}',
    '{"constructor":{"prototype":{"polluted":"yes"}}}',
    '{"toString":"x","valueOf":1,"hasOwnProperty":null}',
    '{"roles":["owner"],"tenant_id":"00000000-0000-0000-0000-000000000000"}',
  )
  .map((text) => frag(text, `pollution ${text}`));

const smallJson: fc.Arbitrary<Fragment> = fc
  .jsonValue({ maxDepth: 3 })
  .map((value) => json(value, 'random JSON'));

/** Any hostile value (for extra keys and fields whose type does not matter). */
export const hostileValue: fc.Arbitrary<Fragment> = fc.oneof(
  smallJson,
  oddText,
  nulText,
  loneSurrogateText,
  hostileNumber,
  deepNesting,
  hugeArray,
  pollutionPayload,
);

export const POLLUTION_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  '__defineGetter__',
  'hasOwnProperty',
  'toString',
  'valueOf',
];

const extraKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...POLLUTION_KEYS),
  benignText.map((text) => `x_${text}`),
);

const wrongTypeFor = (type: string | undefined): fc.Arbitrary<Fragment> => {
  const all: Record<string, fc.Arbitrary<Fragment>> = {
    string: fc.oneof(
      fc.integer().map((n) => json(n, 'number for a string')),
      fc.boolean().map((b) => json(b, 'boolean for a string')),
      fc.array(benignText, { maxLength: 3 }).map((a) => json(a, 'array for a string')),
      fc.constantFrom('{}', '{"a":"b"}').map((text) => frag(text, 'object for a string')),
    ),
    number: fc.oneof(
      fc
        .constantFrom('"5"', '"1e3"', '"NaN"', '"abc"', '""')
        .map((t) => frag(t, `string ${t} for a number`)),
      fc.boolean().map((b) => json(b, 'boolean for a number')),
      fc.constantFrom('[]', '[1]', '{}', '{"$gt":0}').map((t) => frag(t, `${t} for a number`)),
    ),
    boolean: fc
      .constantFrom('"true"', '"false"', '"yes"', '1', '0', '[]', '{}', '[true]')
      .map((t) => frag(t, `${t} for a boolean`)),
    object: fc
      .constantFrom('"{}"', '1', 'true', '[]', '[{}]', '"x"')
      .map((t) => frag(t, `${t} for an object`)),
    array: fc
      .constantFrom('"a"', '1', 'true', '{}', '{"0":"a"}')
      .map((t) => frag(t, `${t} for an array`)),
  };
  return all[type === 'integer' ? 'number' : (type ?? 'string')] ?? all.string;
};

/** Values that break `schema` for sure (by type, text Postgres cannot store, length, format, range). */
export function invalidValueFor(schema: JsonSchema, required: boolean): fc.Arbitrary<Fragment> {
  const options: fc.Arbitrary<Fragment>[] = [wrongTypeFor(schema.type)];
  if (required && !schema.nullable)
    options.push(fc.constant(frag('null', 'null for a required field')));
  if (!schema.type || schema.type === 'string') {
    options.push(nulText, loneSurrogateText);
    if (schema.maxLength !== undefined) {
      const max = schema.maxLength;
      options.push(
        fc
          .integer({ min: max + 1, max: max + 20_000 })
          .map((n) => json('a'.repeat(n), `${n} chars (max ${max})`)),
      );
    }
    if (schema.minLength !== undefined && schema.minLength > 0) {
      const min = schema.minLength;
      options.push(
        fc
          .integer({ min: 0, max: min - 1 })
          .map((n) => json('a'.repeat(n), `${n} chars (min ${min})`)),
      );
    }
    const garbage = fc.stringMatching(/^[a-z0-9 .:-]{1,30}$/);
    if (schema.format === 'email')
      options.push(garbage.map((s) => json(`no-at-sign ${s}`, 'not an email')));
    if (schema.format === 'uuid')
      options.push(garbage.map((s) => json(`not-a-uuid ${s}`, 'not a uuid')));
    if (schema.format === 'date-time')
      options.push(garbage.map((s) => json(`day ${s}`, 'not a date-time')));
  }
  if (schema.type === 'number' || schema.type === 'integer') {
    options.push(fc.constantFrom('1e400', '-1e400').map((t) => frag(t, `${t} (Infinity)`)));
    if (schema.minimum !== undefined) {
      const min = schema.minimum;
      options.push(
        fc.integer({ min: 1, max: 2 ** 31 }).map((d) => json(min - d, `${min - d} (min ${min})`)),
      );
    }
    if (schema.maximum !== undefined) {
      const max = schema.maximum;
      options.push(
        fc.integer({ min: 1, max: 2 ** 31 }).map((d) => json(max + d, `${max + d} (max ${max})`)),
      );
    }
  }
  if (schema.type === 'array' && schema.items?.type === 'string') {
    options.push(
      fc
        .constantFrom('[1]', '[null]', '[{}]', '["ok","\\u0000"]')
        .map((t) => frag(t, `items ${t}`)),
    );
  }
  return fc.oneof(...options);
}

/** A value that satisfies `schema` (other fields of a body whose target field is broken). */
export function validValueFor(schema: JsonSchema): Fragment {
  if (schema.type === 'number' || schema.type === 'integer') {
    const value = schema.minimum ?? 1;
    return json(
      schema.maximum !== undefined ? Math.min(value, schema.maximum) : value,
      'valid number',
    );
  }
  if (schema.type === 'boolean') return json(true, 'valid boolean');
  if (schema.type === 'object') return json({}, 'valid object');
  if (schema.type === 'array') return json([], 'valid array');
  if (schema.format === 'email')
    return json(`fuzz-${randomUUID().slice(0, 8)}@example.test`, 'valid email');
  if (schema.format === 'uuid') return json(randomUUID(), 'valid uuid');
  if (schema.format === 'date-time') return json('2024-01-01T00:00:00Z', 'valid date-time');
  const length = Math.min(Math.max(schema.minLength ?? 1, 16), schema.maxLength ?? 64);
  return json('Valid-Text-9-'.padEnd(length, 'q').slice(0, length), 'valid text');
}

/** A value for a non-target field: valid, hostile but perhaps acceptable, or absent. */
function otherValueFor(schema: JsonSchema): fc.Arbitrary<Fragment | null> {
  const hostile: fc.Arbitrary<Fragment>[] = [oddText];
  if (schema.type === 'number' || schema.type === 'integer') hostile.push(hostileNumber);
  if (schema.type === 'object') hostile.push(deepNesting, pollutionPayload);
  if (schema.type === 'array') hostile.push(hugeArray, deepNesting);
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant(validValueFor(schema)) },
    { weight: 2, arbitrary: fc.oneof(...hostile) },
    { weight: 1, arbitrary: fc.constant(null) },
  );
}

function objectText(entries: [string, Fragment][]): Buffer {
  const parts: Buffer[] = [Buffer.from('{')];
  entries.forEach(([key, value], index) => {
    if (index > 0) parts.push(Buffer.from(','));
    parts.push(Buffer.from(`${JSON.stringify(key)}:`), value.bytes);
  });
  parts.push(Buffer.from('}'));
  return Buffer.concat(parts);
}

export interface HostileBody {
  bytes: Buffer;
  /** What the body is made of (for the failure message). */
  note: string;
}

/**
 * JSON bodies for an operation's request schema that must be refused: one field is broken for
 * sure (or a required one is missing, or the body is not an object), the others are valid or
 * hostile-but-perhaps-acceptable, and extra keys (`__proto__`, `constructor`, deep nesting, huge
 * arrays) ride along.
 */
export function invalidBodyFor(schema: JsonSchema): fc.Arbitrary<HostileBody> {
  const properties = Object.entries(schema.properties ?? {});
  const required = new Set(schema.required ?? []);
  const extras = fc.array(fc.tuple(extraKey, hostileValue), { maxLength: 3 });
  const others = (skip: string) =>
    fc.tuple(
      ...properties
        .filter(([name]) => name !== skip)
        .map(([name, prop]) => otherValueFor(prop).map((value) => [name, value] as const)),
    );
  const build = (
    fields: readonly (readonly [string, Fragment | null])[],
    extra: [string, Fragment][],
    extrasFirst: boolean,
    why: string,
  ): HostileBody => {
    const present = fields.filter((entry): entry is [string, Fragment] => entry[1] !== null);
    const entries = extrasFirst ? [...extra, ...present] : [...present, ...extra];
    return {
      bytes: objectText(entries),
      note: [why, ...entries.map(([key, value]) => `${key}: ${value.note}`)].join('; '),
    };
  };

  const choices: fc.Arbitrary<HostileBody>[] = [];
  if (properties.length > 0) {
    choices.push(
      fc
        .noBias(fc.constantFrom(...properties))
        .chain(([target, prop]) =>
          fc
            .tuple(
              invalidValueFor(prop, required.has(target)),
              others(target),
              extras,
              fc.boolean(),
            )
            .map(([bad, rest, extra, extrasFirst]) =>
              build([...rest, [target, bad]], extra, extrasFirst, `broken field ${target}`),
            ),
        ),
    );
  }
  if (required.size > 0) {
    choices.push(
      fc
        .noBias(fc.constantFrom(...required))
        .chain((missing) =>
          fc
            .tuple(others(missing), extras, fc.boolean())
            .map(([rest, extra, extrasFirst]) =>
              build(rest, extra, extrasFirst, `missing ${missing}`),
            ),
        ),
    );
  }
  choices.push(
    fc.tuple(fc.array(hostileValue, { maxLength: 3 }), fc.boolean()).map(([items, wrapValid]) => {
      const valid = objectText(properties.map(([name, prop]) => [name, validValueFor(prop)]));
      const values = wrapValid
        ? [valid, ...items.map((item) => item.bytes)]
        : items.map((item) => item.bytes);
      const parts: Buffer[] = [Buffer.from('[')];
      values.forEach((value, index) =>
        parts.push(...(index > 0 ? [Buffer.from(','), value] : [value])),
      );
      parts.push(Buffer.from(']'));
      return {
        bytes: Buffer.concat(parts),
        note: `array instead of an object (${values.length} items)`,
      };
    }),
  );
  return fc.oneof(...choices);
}

/** A hostile JSON object without any schema (bodies of routes that check bytes themselves). */
export const hostileObject: fc.Arbitrary<HostileBody> = fc
  .array(fc.tuple(extraKey, hostileValue), { maxLength: 4 })
  .map((entries) => ({
    bytes: objectText(entries),
    note: entries.map(([key, value]) => `${key}: ${value.note}`).join('; ') || '{}',
  }));

/** A body the app must refuse whatever the route (parser or media-type level). */
export interface TransportCase {
  /** Absent: no Content-Type header at all. */
  contentType?: string;
  bytes: Buffer;
  note: string;
}

const MALFORMED_START = fc.constantFrom('{', '[', '{"a":', '[1,');

/** Media types the API accepts as JSON (`application/json` and the `+json` family). */
export const JSON_TYPES = fc.noBias(
  fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'application/merge-patch+json',
    'application/vnd.api+json',
  ),
);

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * Bodies the HTTP layer refuses before any route logic: malformed JSON, top-level primitives
 * (strict parser), media types that are not JSON, charsets that are not UTF-*, bodies over the
 * size limit. `limitBytes` is the app's HTTP_BODY_LIMIT.
 */
export function transportCase(limitBytes: number): fc.Arbitrary<TransportCase> {
  const objectBody = hostileObject.map((body) => body.bytes);
  return fc.noBias(
    fc.oneof(
      fc
        .tuple(JSON_TYPES, MALFORMED_START, fc.string({ maxLength: 40 }))
        .map(([contentType, start, rest]) => [contentType, start + rest] as const)
        .filter(([, text]) => !parses(text))
        .map(([contentType, text]) => ({
          contentType,
          bytes: Buffer.from(text),
          note: `malformed JSON ${JSON.stringify(text)} as ${contentType}`,
        })),
      fc
        .tuple(
          JSON_TYPES,
          fc.oneof(
            fc.constantFrom('null', 'true', '0', '"x"', '-1e400', '""'),
            fc.string({ maxLength: 20 }).map((s) => JSON.stringify(s)),
            fc.integer().map(String),
          ),
        )
        .map(([contentType, text]) => ({
          contentType,
          bytes: Buffer.from(text),
          note: `top-level primitive ${text} as ${contentType}`,
        })),
      fc
        .tuple(
          fc.constantFrom(
            undefined,
            'text/plain',
            'text/html',
            'application/x-www-form-urlencoded',
            'multipart/form-data; boundary=----fuzz',
            'application/xml',
            'application/octet-stream',
            'application/jsonp',
            'json',
          ),
          objectBody,
        )
        .map(([contentType, bytes]) => ({
          contentType,
          bytes,
          note: `media type ${String(contentType)}`,
        })),
      fc
        .tuple(
          fc.constantFrom(
            'latin1',
            'iso-8859-1',
            'utf8',
            'ascii',
            'koi8-r',
            'utf-16',
            'utf-32',
            'utf-fuzz',
          ),
          objectBody,
        )
        .map(([charset, bytes]) => ({
          contentType: `application/json; charset=${charset}`,
          bytes,
          note: `charset ${charset}`,
        })),
      fc.integer({ min: 1, max: 64 * 1024 }).map((extra) => ({
        contentType: 'application/json',
        bytes: Buffer.from(`{"x":"${'a'.repeat(limitBytes + extra)}"}`),
        note: `body over the limit by ${extra + 8} bytes`,
      })),
    ),
  );
}

/** Path segments a client can put where an id belongs (sent as raw, percent-encoded text). */
export const hostileSegment: fc.Arbitrary<string> = fc.oneof(
  fc
    .string({ minLength: 1, maxLength: 40, unit: 'grapheme' })
    .map((text) => encodeURIComponent(text))
    .filter((text) => text !== '.' && text !== '..'),
  fc.constantFrom(
    '%00',
    'a%00b',
    '%ED%A0%80',
    '%FF',
    '%C0%80',
    '%',
    '%zz',
    '%E0%A4%A',
    '%2F',
    '%2e%2e',
    '%F0%9F%9A%80',
    '__proto__',
    'constructor',
    'null',
    '-1',
    '00000000-0000-0000-0000-000000000000',
    'x'.repeat(4_000),
  ),
  fc.uuid().map((uuid) => uuid),
);

/** Query strings: documented and invented keys with hostile, raw percent-encoded values. */
export function hostileQuery(knownKeys: string[]): fc.Arbitrary<string> {
  const key = fc.oneof(
    ...(knownKeys.length > 0 ? [fc.constantFrom(...knownKeys)] : []),
    fc.constantFrom(
      '__proto__',
      'constructor',
      'limit',
      'offset',
      'cursor',
      'a[b]',
      'a[]',
      '%00',
      'tenant_id',
    ),
    fc
      .string({ minLength: 1, maxLength: 10, unit: 'grapheme' })
      .map((text) => encodeURIComponent(text)),
  );
  const value = fc.oneof(
    fc.string({ maxLength: 30, unit: 'grapheme' }).map((text) => encodeURIComponent(text)),
    fc.constantFrom(
      '%00',
      '%ZZ',
      '%ED%A0%80',
      '%FF',
      '-1',
      '0',
      '1e309',
      '99999999999999999999999',
      'NaN',
      'Infinity',
      'true',
      'maybe',
      '',
      '%20',
      '0x10',
      '1.5',
      '-0',
      'x'.repeat(3_000),
    ),
  );
  return fc
    .array(fc.tuple(key, value), { minLength: 1, maxLength: 4 })
    .map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&'));
}
