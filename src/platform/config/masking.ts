import type { AppConfig } from './app-config';
import { settingsOf } from './setting.decorator';

/** Reference masking rule: `<missing>`; short values all stars; else 2 first + stars + 4 last. */
export function maskSecret(value: string | undefined | null): string {
  const text = (value ?? '').trim();
  if (!text) return '<missing>';
  if (text.length <= 4) return '*'.repeat(text.length);
  return `${text.slice(0, 2)}${'*'.repeat(Math.max(text.length - 6, 3))}${text.slice(-4)}`;
}

/** Hides the password (and any token in the query string) of a connection URL. */
export function maskUrlCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    for (const key of [...parsed.searchParams.keys()]) {
      if (/pass|token|secret|key/i.test(key)) parsed.searchParams.set(key, '***');
    }
    return parsed.toString();
  } catch {
    return maskSecret(url);
  }
}

/** The effective configuration with every sensitive value masked, for the startup log and `doctor`. */
export function maskedConfig(config: AppConfig): Record<string, unknown> {
  const values = config as unknown as Record<string, unknown>;
  const result: Record<string, unknown> = {};
  for (const setting of settingsOf(config)) {
    const value = values[setting.property];
    if (!setting.sensitive || value === undefined) {
      result[setting.property] = value;
    } else if (typeof value === 'string' && /^[a-z+]+:\/\//i.test(value)) {
      result[setting.property] = maskUrlCredentials(value);
    } else {
      result[setting.property] = maskSecret(
        typeof value === 'string' ? value : JSON.stringify(value),
      );
    }
  }
  return result;
}
