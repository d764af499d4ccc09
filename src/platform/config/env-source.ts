import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';

export type EnvMap = Record<string, string | undefined>;

/**
 * Reads `.env` and `.env.local` from `cwd` beneath the process environment.
 * Precedence (highest first): process env > `.env.local` > `.env`. This deliberately reverses the
 * reference's `.env`-over-`.env.local` order: a local override file should override the shared
 * one, and an exported variable should beat both.
 */
export function readEnvSources(processEnv: EnvMap, cwd = process.cwd()): EnvMap {
  const fromFiles: EnvMap = {
    ...readDotenv(resolve(cwd, '.env')),
    ...readDotenv(resolve(cwd, '.env.local')),
  };
  return { ...interpolate(fromFiles, processEnv), ...processEnv };
}

function readDotenv(path: string): EnvMap {
  if (!existsSync(path)) return {};
  return parseDotenv(readFileSync(path));
}

/** `${VAR}` in dotenv values resolves against the process env, then the files themselves. */
function interpolate(values: EnvMap, processEnv: EnvMap): EnvMap {
  const result: EnvMap = {};
  for (const [key, value] of Object.entries(values)) {
    result[key] = value?.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => {
      return processEnv[name] ?? values[name] ?? '';
    });
  }
  return result;
}

/** Env names are case-insensitive (reference behaviour): index by upper-case name. */
export function upperCaseKeys(env: EnvMap): Map<string, string> {
  const map = new Map<string, string>();
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined) map.set(key.toUpperCase(), value);
  }
  return map;
}
