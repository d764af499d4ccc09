import { pythonJson } from '../../../src/platform/sse/python-json';

describe('pythonJson (Python json.dumps defaults)', () => {
  it('uses ", " and ": " separators and keeps key order', () => {
    expect(pythonJson({ b: 1, a: [true, null, 'x'], c: { d: 1.5 } })).toBe(
      '{"b": 1, "a": [true, null, "x"], "c": {"d": 1.5}}',
    );
  });

  it('escapes non-ASCII as \\uXXXX (surrogate pairs for astral characters)', () => {
    expect(pythonJson({ s: 'héllo 😀' })).toBe('{"s": "h\\u00e9llo \\ud83d\\ude00"}');
  });

  it('escapes quotes, backslashes and control characters like JSON', () => {
    expect(pythonJson('a"b\\c\nd')).toBe('"a\\"b\\\\c\\nd"');
  });

  it('drops undefined members and renders non-finite numbers as null', () => {
    expect(pythonJson({ a: undefined, b: Number.NaN })).toBe('{"b": null}');
  });
});
