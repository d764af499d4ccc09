import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppConfig } from '../../../src/platform/config/app-config';
import {
  ENV_EXAMPLE_OTHER_VARIABLES,
  renderEnvExample,
} from '../../../src/platform/config/env-example';
import { loadConfig } from '../../../src/platform/config/load-config';
import { settingsOf } from '../../../src/platform/config/setting.decorator';
import { DEFAULT_TEST_POSTGRES_URL, DEFAULT_TEST_REDIS_URL } from '../../support/backends';

const ROOT = join(__dirname, '..', '..', '..');

/** Every `# NAME=value` line of the file, as the env a user gets by uncommenting it. */
function commentedAssignments(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const match of text.matchAll(/^# ([A-Z][A-Z0-9_]*)=(.*)$/gm)) env[match[1]] = match[2];
  return env;
}

describe('.env.example', () => {
  it('is in sync with AppConfig (regenerate with `npm run env:example`)', () => {
    const committed = readFileSync(join(ROOT, '.env.example'), 'utf8');
    expect(committed).toBe(renderEnvExample());
  });

  it('lists every setting', () => {
    const text = renderEnvExample();
    for (const setting of settingsOf(new AppConfig())) {
      expect(text).toMatch(new RegExp(`^(# )?${setting.property}=`, 'm'));
    }
  });

  it('can be copied to .env with any commented line uncommented: blank optional settings are unset', () => {
    const env = commentedAssignments(renderEnvExample());
    expect(env).toMatchObject({ STRIPE_SECRET_KEY: '', OPENAI_API_KEY: '' });
    const config = loadConfig(env, { readDotenvFiles: false });
    expect(config.STRIPE_SECRET_KEY).toBeUndefined();
    expect(config.OPENAI_API_KEY).toBeUndefined();
    // The examples are valid values.
    expect(config.DATABASE_URL).toMatch(/^postgresql:\/\/.+@127\.0\.0\.1:5432\//);
    expect(config.REDIS_URL).toMatch(/^redis:\/\/127\.0\.0\.1:6379\//);
  });

  it('documents the Compose variables docker-compose.yml and its ports override interpolate', () => {
    const text = renderEnvExample();
    const compose = ['docker-compose.yml', 'docker-compose.ports.yml']
      .map((file) => readFileSync(join(ROOT, file), 'utf8'))
      .join('\n');
    const interpolated = new Set(
      [...compose.matchAll(/(?<!\$)\$\{([A-Z_][A-Z0-9_]*)/g)].map((match) => match[1]),
    );
    expect([...interpolated].sort()).toEqual([
      'API_PORT',
      'POSTGRES_PORT',
      'REDIS_PASSWORD',
      'REDIS_PORT',
    ]);
    for (const name of [...interpolated, 'COMPOSE_FILE']) {
      expect(text).toMatch(new RegExp(`^# ${name}=.+$`, 'm'));
    }
    // Each default in the Compose files is the example shown.
    const examples = commentedAssignments(text);
    for (const match of compose.matchAll(/\$\{([A-Z_]+):-([^}]*)\}/g)) {
      expect(`${match[1]}=${examples[match[1]]}`).toBe(`${match[1]}=${match[2]}`);
    }
    expect(examples.COMPOSE_FILE.split(':')).toEqual([
      'docker-compose.yml',
      'docker-compose.ports.yml',
    ]);
  });

  it('documents the test variables with the defaults the test run uses', () => {
    const examples = commentedAssignments(renderEnvExample());
    expect(examples).toMatchObject({
      TEST_POSTGRES_URL: DEFAULT_TEST_POSTGRES_URL,
      TEST_REDIS_URL: DEFAULT_TEST_REDIS_URL,
      TEST_LOG_LEVEL: 'info',
      TEST_KEEP_DATABASE: 'false',
    });
    const support = ['global-setup.ts', 'global-teardown.ts', 'test-app.ts']
      .map((file) => readFileSync(join(ROOT, 'test', 'support', file), 'utf8'))
      .join('\n');
    for (const name of [
      'TEST_POSTGRES_URL',
      'TEST_REDIS_URL',
      'TEST_LOG_LEVEL',
      'TEST_KEEP_DATABASE',
    ]) {
      expect(support).toContain(`process.env.${name}`);
    }
    expect(ENV_EXAMPLE_OTHER_VARIABLES.map((v) => v.name)).toEqual(
      expect.arrayContaining(['TEST_POSTGRES_URL', 'REDIS_PASSWORD']),
    );
    // None of them is a setting of the service (it ignores them).
    const settings = new Set(settingsOf(new AppConfig()).map((s) => s.property));
    for (const variable of ENV_EXAMPLE_OTHER_VARIABLES)
      expect(settings.has(variable.name)).toBe(false);
  });

  it('says how to generate production secrets', () => {
    expect(renderEnvExample()).toContain('`npm run cli -- secrets generate`');
  });
});
