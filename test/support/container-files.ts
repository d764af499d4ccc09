import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';

export const ROOT = join(__dirname, '..', '..');

// ------------------------------------------------------------------------------ Dockerfile

export interface Instruction {
  keyword: string;
  /** Everything after the keyword, continuation lines joined. */
  args: string;
}

export interface Stage {
  image: string;
  name?: string;
  instructions: Instruction[];
}

/** The Dockerfile as stages of instructions (comments dropped, `\` continuations joined). */
export function parseDockerfile(text: string): { directives: string[]; stages: Stage[] } {
  const directives = [...text.matchAll(/^# *([a-z]+=\S+)$/gm)].map((match) => match[1]);
  const logical = text
    .replace(/\\\r?\n(\s*#[^\n]*\n)*/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of logical) {
    const [, keyword, args] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const upper = keyword.toUpperCase();
    if (upper === 'FROM') {
      const [image, as, name] = args.split(/\s+/);
      stages.push({ image, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
      continue;
    }
    stages.at(-1)?.instructions.push({ keyword: upper, args: args.replace(/\s+/g, ' ') });
  }
  return { directives, stages };
}

export function readDockerfile(): ReturnType<typeof parseDockerfile> {
  return parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
}

/** `COPY [--from=x] [--chown=y] src... dest` as its parts. */
export function parseCopy(args: string): { from?: string; sources: string[]; dest: string } {
  const words = args.split(/\s+/);
  const flags = words.filter((word) => word.startsWith('--'));
  const paths = words.filter((word) => !word.startsWith('--'));
  const from = flags.find((flag) => flag.startsWith('--from='))?.slice('--from='.length);
  return { from, sources: paths.slice(0, -1), dest: paths.at(-1) ?? '' };
}

// ----------------------------------------------------------------------------- Compose

export interface ComposePort {
  target: number;
  published?: string;
}

export interface ComposeVolume {
  source?: string;
  target: string;
}

export interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  environment: Record<string, string>;
  healthcheck?: { test: string[] };
  ports: ComposePort[];
  volumes: ComposeVolume[];
  depends_on: Record<string, { condition: string }>;
}

export interface ComposeModel {
  name?: string;
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
  /** How it was rendered: Compose itself, or the YAML parse with our interpolation. */
  renderer: 'docker compose config' | 'yaml';
}

/** True when `docker compose` (v2) is installed; `config` needs no daemon and no network. */
export function dockerComposeAvailable(): boolean {
  const probe = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8', timeout: 20_000 });
  return probe.status === 0;
}

/**
 * The Compose model of `files` (relative to the checkout, or absolute) with `env` as the only variables (a checkout's `.env` is not
 * read): `docker compose config` when Compose v2 is installed, else the YAML parse with
 * Compose's interpolation (`${VAR}`, `${VAR:-default}`, `${VAR-default}`, `$$`) and merging
 * (maps merged, `ports` appended, other values replaced by later files).
 */
export function renderCompose(
  files: string[],
  env: Record<string, string> = {},
  useDocker = dockerComposeAvailable(),
): ComposeModel {
  return useDocker ? renderWithDocker(files, env) : renderWithYaml(files, env);
}

function renderWithDocker(files: string[], env: Record<string, string>): ComposeModel {
  const dir = mkdtempSync(join(tmpdir(), 'aa-compose-'));
  try {
    const envFile = join(dir, 'empty.env');
    writeFileSync(envFile, '');
    const result = spawnSync(
      'docker',
      [
        'compose',
        '--project-directory',
        ROOT,
        '--env-file',
        envFile,
        ...files.flatMap((file) => ['-f', resolve(ROOT, file)]),
        'config',
        '--format',
        'json',
      ],
      {
        encoding: 'utf8',
        timeout: 60_000,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      },
    );
    if (result.status !== 0) throw new Error(`docker compose config failed: ${result.stderr}`);
    // `config` keeps `$$` escaped; a container sees `$`.
    const model = unescapeDollars(JSON.parse(result.stdout)) as Record<string, unknown>;
    return normalize(model, 'docker compose config');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function unescapeDollars(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(/\$\$/g, '$');
  if (Array.isArray(value)) return value.map(unescapeDollars);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unescapeDollars(v)]));
  }
  return value;
}

function renderWithYaml(files: string[], env: Record<string, string>): ComposeModel {
  let merged: Record<string, unknown> = {};
  for (const file of files) {
    const parsed = parseYaml(readFileSync(resolve(ROOT, file), 'utf8'), { merge: true }) as Record<
      string,
      unknown
    >;
    merged = mergeCompose(merged, interpolateAll(parsed, env)) as Record<string, unknown>;
  }
  return normalize(merged, 'yaml');
}

/** Compose interpolation of one string. */
export function interpolate(text: string, env: Record<string, string>): string {
  return text.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (match, braced?: string, colon?: string, fallback?: string, bare?: string) => {
      if (match === '$$') return '$';
      const name = braced ?? bare ?? '';
      const value = env[name];
      if (fallback === undefined) return value ?? '';
      const unset = colon ? value === undefined || value === '' : value === undefined;
      return unset ? fallback : value;
    },
  );
}

function interpolateAll(value: unknown, env: Record<string, string>): unknown {
  if (typeof value === 'string') return interpolate(value, env);
  if (Array.isArray(value)) return value.map((item) => interpolateAll(item, env));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateAll(v, env)]));
  }
  return value;
}

function mergeCompose(base: unknown, override: unknown, key = ''): unknown {
  if (Array.isArray(base) && Array.isArray(override)) {
    return key === 'ports' ? [...base, ...override] : override;
  }
  if (isMap(base) && isMap(override)) {
    const result: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(override)) result[k] = mergeCompose(base[k], v, k);
    return result;
  }
  return override === undefined ? base : override;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return Boolean(value) && typeof value === 'object' && !Array.isArray(value);
}

function normalize(raw: Record<string, unknown>, renderer: ComposeModel['renderer']): ComposeModel {
  const services: Record<string, ComposeService> = {};
  for (const [name, value] of Object.entries((raw.services ?? {}) as Record<string, unknown>)) {
    const service = value as Record<string, unknown>;
    services[name] = {
      image: service.image as string | undefined,
      build: service.build,
      command: asCommand(service.command),
      environment: asEnvironment(service.environment),
      healthcheck: service.healthcheck as ComposeService['healthcheck'],
      ports: ((service.ports ?? []) as unknown[]).map(asPort),
      volumes: ((service.volumes ?? []) as unknown[]).map(asVolume),
      depends_on: asDependsOn(service.depends_on),
    };
  }
  return {
    name: raw.name as string | undefined,
    services,
    volumes: (raw.volumes ?? {}) as Record<string, unknown>,
    renderer,
  };
}

function asCommand(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  return Array.isArray(value) ? value.map(scalarText) : scalarText(value).split(/\s+/);
}

function asEnvironment(value: unknown): Record<string, string> {
  if (!value) return {};
  if (Array.isArray(value)) {
    return Object.fromEntries(
      value.map((entry) => {
        const [k, ...rest] = scalarText(entry).split('=');
        return [k, rest.join('=')];
      }),
    );
  }
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([k, v]) => [
      k,
      v == null ? '' : scalarText(v),
    ]),
  );
}

function asPort(value: unknown): ComposePort {
  if (isMap(value)) {
    return {
      target: Number(value.target),
      published: value.published === undefined ? undefined : scalarText(value.published),
    };
  }
  const parts = String(value).split(':');
  const target = Number(parts.at(-1));
  return { target, published: parts.length > 1 ? parts.at(-2) : undefined };
}

function asVolume(value: unknown): ComposeVolume {
  if (isMap(value))
    return { source: value.source as string | undefined, target: String(value.target) };
  const parts = String(value).split(':');
  return parts.length > 1 ? { source: parts[0], target: parts[1] } : { target: parts[0] };
}

function asDependsOn(value: unknown): Record<string, { condition: string }> {
  if (!value) return {};
  if (Array.isArray(value)) {
    return Object.fromEntries(
      value.map((name) => [String(name), { condition: 'service_started' }]),
    );
  }
  return value as Record<string, { condition: string }>;
}

/** YAML scalars (string, number, boolean) as Compose reads them; anything else is a test bug. */
function scalarText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new Error(`expected a scalar in the Compose file, got ${JSON.stringify(value)}`);
}
