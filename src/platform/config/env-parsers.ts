import type { SettingKind } from './setting.decorator';

/** A raw env string could not be read as the setting's kind. */
export class EnvParseError extends Error {}

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on', 'y', 't']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off', 'n', 'f']);

export function parseBool(name: string, raw: string): boolean {
  const word = raw.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  throw new EnvParseError(
    `${name} must be a boolean (true/false, 1/0, yes/no, on/off), got "${raw}"`,
  );
}

export function parseInteger(name: string, raw: string): number {
  const text = raw.trim();
  if (!/^[+-]?\d+$/.test(text)) throw new EnvParseError(`${name} must be an integer, got "${raw}"`);
  return Number.parseInt(text, 10);
}

export function parseFloatValue(name: string, raw: string): number {
  const text = raw.trim();
  const value = Number(text);
  if (text === '' || !Number.isFinite(value)) {
    throw new EnvParseError(`${name} must be a number, got "${raw}"`);
  }
  return value;
}

/** JSON array or comma-separated values; items trimmed, blanks dropped, de-duplicated in order. */
export function parseList(name: string, raw: string): string[] {
  const text = raw.trim();
  let items: unknown[];
  if (text.startsWith('[')) {
    let decoded: unknown;
    try {
      decoded = JSON.parse(text);
    } catch {
      throw new EnvParseError(`${name} is not valid JSON`);
    }
    if (!Array.isArray(decoded)) throw new EnvParseError(`${name} must be a JSON array`);
    items = decoded;
  } else {
    items = text.split(',');
  }
  const result: string[] = [];
  for (const item of items) {
    if (typeof item !== 'string') throw new EnvParseError(`${name} entries must be strings`);
    const trimmed = item.trim();
    if (trimmed && !result.includes(trimmed)) result.push(trimmed);
  }
  return result;
}

/** JSON object or `key=value` / `key:value` pairs separated by commas (strict superset of the reference). */
export function parseMap(name: string, raw: string): Record<string, string> {
  const text = raw.trim();
  if (text === '') return {};
  const entries: [string, unknown][] = [];
  if (text.startsWith('{')) {
    let decoded: unknown;
    try {
      decoded = JSON.parse(text);
    } catch {
      throw new EnvParseError(`${name} is not valid JSON`);
    }
    if (decoded === null || typeof decoded !== 'object' || Array.isArray(decoded)) {
      throw new EnvParseError(`${name} must be a JSON object`);
    }
    entries.push(...Object.entries(decoded));
  } else {
    for (const pair of text.split(',')) {
      if (!pair.trim()) continue;
      const match = /^([^=:]*)[=:](.*)$/.exec(pair);
      if (!match) {
        throw new EnvParseError(`Invalid ${name} entry. Use key=value or JSON dict.`);
      }
      entries.push([match[1], match[2]]);
    }
  }
  const result: Record<string, string> = {};
  for (const [key, value] of entries) {
    const k = key.trim();
    const v = typeof value === 'string' ? value.trim() : '';
    if (!k || !v) {
      throw new EnvParseError(
        `${name} entries require non-empty keys and string values (e.g. plan codes and price IDs).`,
      );
    }
    result[k] = v;
  }
  return result;
}

export function parseByKind(kind: SettingKind, name: string, raw: string): unknown {
  switch (kind) {
    case 'bool':
      return parseBool(name, raw);
    case 'int':
      return parseInteger(name, raw);
    case 'float':
      return parseFloatValue(name, raw);
    case 'list':
      return parseList(name, raw);
    case 'map':
      return parseMap(name, raw);
    case 'string':
      return raw.trim();
  }
}
