import 'reflect-metadata';

/** How a raw environment string is turned into the property's value before validation. */
export type SettingKind = 'string' | 'int' | 'float' | 'bool' | 'list' | 'map';

export type SettingGroup =
  | 'application'
  | 'http'
  | 'observability'
  | 'database'
  | 'redis'
  | 'rate-limits'
  | 'auth'
  | 'signup'
  | 'email'
  | 'vault'
  | 'models'
  | 'tools'
  | 'chat'
  | 'billing'
  | 'stripe'
  | 'cli';

export interface SettingOptions {
  kind: SettingKind;
  group: SettingGroup;
  description: string;
  /** Masked in logs, `doctor` output and the generated `.env.example` comments. */
  sensitive?: boolean;
  /** Older or alternative env names accepted for the same setting (first match wins). */
  aliases?: string[];
  /** Values that must never run in production (checked by the secret guard). */
  placeholders?: string[];
  /** Enumerated strings are matched case-insensitively (stored lower-case). */
  lowercase?: boolean;
}

export interface SettingMetadata extends SettingOptions {
  property: string;
}

const SETTINGS_KEY = Symbol('app-config:settings');

/** Declares an environment-backed setting; the property name is the env var name. */
export function Setting(options: SettingOptions): PropertyDecorator {
  return (target, propertyKey) => {
    const existing =
      (Reflect.getMetadata(SETTINGS_KEY, target) as SettingMetadata[] | undefined) ?? [];
    Reflect.defineMetadata(
      SETTINGS_KEY,
      [...existing, { ...options, property: String(propertyKey) }],
      target,
    );
  };
}

export function settingsOf(target: object): SettingMetadata[] {
  return (Reflect.getMetadata(SETTINGS_KEY, target) as SettingMetadata[] | undefined) ?? [];
}
