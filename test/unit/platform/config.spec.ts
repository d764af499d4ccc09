import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigValidationError, loadConfig } from '../../../src/platform/config/load-config';
import { maskedConfig, maskSecret, maskUrlCredentials } from '../../../src/platform/config/masking';

const load = (env: Record<string, string>) => loadConfig(env, { readDotenvFiles: false });

function problemsOf(env: Record<string, string>): string[] {
  try {
    load(env);
  } catch (error) {
    if (error instanceof ConfigValidationError) return error.problems;
    throw error;
  }
  throw new Error('expected a configuration error');
}

describe('loadConfig', () => {
  it('applies the reference defaults', () => {
    const config = load({});
    expect(config.APP_NAME).toBe('anything-agents');
    expect(config.PORT).toBe(8000);
    expect(config.ACCESS_TOKEN_EXPIRE_MINUTES).toBe(30);
    expect(config.AUTH_AUDIENCE).toEqual([
      'agent-api',
      'analytics-service',
      'billing-worker',
      'support-console',
      'synthetic-monitor',
    ]);
    expect(config.SIGNUP_RATE_LIMIT_PER_HOUR).toBe(20);
    expect(config.RATE_LIMIT_KEY_PREFIX).toBe('rate-limit');
    expect(config.REDIS_URL).toBeUndefined();
    expect(config.isProduction).toBe(false);
    expect(config.AUTO_RUN_MIGRATIONS).toBe(true);
    expect(config.ENABLE_API_DOCS).toBe(true);
  });

  it('parses booleans, integers, floats, JSON and CSV lists and maps', () => {
    const config = load({
      DEBUG: 'yes',
      DATABASE_POOL_SIZE: '12',
      AUTH_LOCKOUT_WINDOW_MINUTES: '1.5',
      AUTH_AUDIENCE: '["a", "b", "a", "  "]',
      ALLOWED_ORIGINS: 'https://a.example, https://b.example,,',
      STRIPE_PRODUCT_PRICE_MAP: 'starter=price_1, pro:price_2',
      STRIPE_METER_EVENT_MAP: '{"messages": "chat_messages"}',
    });
    expect(config.DEBUG).toBe(true);
    expect(config.DATABASE_POOL_SIZE).toBe(12);
    expect(config.AUTH_LOCKOUT_WINDOW_MINUTES).toBe(1.5);
    expect(config.AUTH_AUDIENCE).toEqual(['a', 'b']);
    expect(config.ALLOWED_ORIGINS).toEqual(['https://a.example', 'https://b.example']);
    expect(config.STRIPE_PRODUCT_PRICE_MAP).toEqual({ starter: 'price_1', pro: 'price_2' });
    expect(config.STRIPE_METER_EVENT_MAP).toEqual({ messages: 'chat_messages' });
  });

  it('matches env names case-insensitively', () => {
    expect(load({ app_name: 'lower' }).APP_NAME).toBe('lower');
  });

  it('accepts the reference SQLAlchemy URL form and rejects other schemes', () => {
    expect(load({ DATABASE_URL: 'postgresql+asyncpg://u:p@db:5432/app' }).DATABASE_URL).toContain(
      'asyncpg',
    );
    expect(problemsOf({ DATABASE_URL: 'sqlite+aiosqlite:///:memory:' })[0]).toMatch(
      /DATABASE_URL must be a postgresql/,
    );
  });

  it('reports every problem at once', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      DATABASE_POOL_SIZE: '-1',
      SIGNUP_RATE_LIMIT_PER_HOUR: '-5',
      AUTH_AUDIENCE: '[]',
      DEBUG: 'maybe',
      AUTH_KEY_STORAGE_BACKEND: 'disk',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^PORT must be an integer/),
        expect.stringMatching(/^DEBUG must be a boolean/),
        expect.stringMatching(/DATABASE_POOL_SIZE/),
        expect.stringMatching(/SIGNUP_RATE_LIMIT_PER_HOUR/),
        expect.stringMatching(/AUTH_AUDIENCE must contain at least one audience/),
        expect.stringMatching(/AUTH_KEY_STORAGE_BACKEND/),
      ]),
    );
    expect(problems.length).toBeGreaterThanOrEqual(6);
  });

  it.each([['123'], [''], ['[]'], ['["   "]']])(
    'rejects AUTH_AUDIENCE=%j (reference pins)',
    (value) => {
      // '123' is CSV of one audience in our superset, so only the empty forms fail.
      if (value === '123') {
        expect(load({ AUTH_AUDIENCE: value }).AUTH_AUDIENCE).toEqual(['123']);
        return;
      }
      expect(problemsOf({ AUTH_AUDIENCE: value }).join()).toMatch(/AUTH_AUDIENCE/);
    },
  );

  it('treats a blank optional setting as unset (an uncommented `STRIPE_SECRET_KEY=`)', () => {
    const config = load({
      STRIPE_SECRET_KEY: '',
      STRIPE_WEBHOOK_SECRET: '   ',
      DATABASE_URL: '',
      AUTH_SESSION_IP_HASH_SALT: ' ',
      RATE_LIMIT_KEY_PREFIX: '',
      TRUSTED_PROXIES: '',
      STRIPE_PRODUCT_PRICE_MAP: '',
    });
    expect(config.STRIPE_SECRET_KEY).toBeUndefined();
    expect(config.STRIPE_WEBHOOK_SECRET).toBeUndefined();
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.usesEmbeddedDatabase).toBe(true);
    expect(config.AUTH_SESSION_IP_HASH_SALT).toBeUndefined();
    // A blank string with a default keeps the default; a blank list or map is empty.
    expect(config.RATE_LIMIT_KEY_PREFIX).toBe('rate-limit');
    expect(config.TRUSTED_PROXIES).toEqual([]);
    expect(config.STRIPE_PRODUCT_PRICE_MAP).toEqual({});
    // Blank numbers and booleans of settings with a default stay errors (no silent default).
    expect(problemsOf({ PORT: '' }).join()).toMatch(/PORT must be an integer/);
    expect(problemsOf({ DEBUG: ' ' }).join()).toMatch(/DEBUG must be a boolean/);
    // With billing on, a blank key is reported as missing.
    expect(problemsOf({ ENABLE_BILLING: 'true', STRIPE_SECRET_KEY: '' }).join()).toMatch(
      /Set STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET, STRIPE_PRODUCT_PRICE_MAP/,
    );
  });

  it("derives the CLI's API base URL from PORT unless AUTH_CLI_BASE_URL is set", () => {
    expect(load({}).cliBaseUrl).toBe('http://127.0.0.1:8000');
    expect(load({ PORT: '9123' }).cliBaseUrl).toBe('http://127.0.0.1:9123');
    expect(load({ PORT: '9123', HOST: '::1' }).cliBaseUrl).toBe('http://[::1]:9123');
    expect(load({ PORT: '9123', HOST: '10.0.0.5' }).localApiUrl).toBe('http://10.0.0.5:9123');
    expect(load({ PORT: '9123', AUTH_CLI_BASE_URL: 'https://api.example.test' }).cliBaseUrl).toBe(
      'https://api.example.test',
    );
    expect(problemsOf({ AUTH_CLI_BASE_URL: 'api.example.test' })).toEqual([
      'AUTH_CLI_BASE_URL must be an http(s) URL',
    ]);
  });

  it('takes the email link pages as paths', () => {
    const config = load({});
    expect(config.EMAIL_VERIFICATION_LINK_PATH).toBe('/email/verify');
    expect(config.PASSWORD_RESET_LINK_PATH).toBe('/reset-password');
    expect(load({ PASSWORD_RESET_LINK_PATH: '/auth/reset' }).PASSWORD_RESET_LINK_PATH).toBe(
      '/auth/reset',
    );
    expect(
      problemsOf({ EMAIL_VERIFICATION_LINK_PATH: 'verify?x=1', PASSWORD_RESET_LINK_PATH: '/a#b' }),
    ).toEqual([
      'EMAIL_VERIFICATION_LINK_PATH must be a path like /email/verify',
      'PASSWORD_RESET_LINK_PATH must be a path like /reset-password',
    ]);
  });

  it('rejects malformed Stripe settings even with billing off', () => {
    expect(problemsOf({ STRIPE_PRODUCT_PRICE_MAP: 'starter' }).join()).toMatch(
      /Invalid STRIPE_PRODUCT_PRICE_MAP entry/,
    );
    expect(problemsOf({ STRIPE_PRODUCT_PRICE_MAP: 'starter=' }).join()).toMatch(/non-empty keys/);
  });

  it('requires Stripe settings, in the reference order, when billing is enabled', () => {
    const [problem] = problemsOf({ ENABLE_BILLING: 'true' });
    expect(problem).toContain(
      'Set STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET, STRIPE_PRODUCT_PRICE_MAP',
    );
  });

  it('requires Vault settings for the secret-manager key backend', () => {
    expect(problemsOf({ AUTH_KEY_STORAGE_BACKEND: ' Secret-Manager ' }).join()).toMatch(
      /requires VAULT_ADDR, VAULT_TOKEN, AUTH_KEY_SECRET_NAME/,
    );
  });

  it('switches environment-dependent defaults off in production', () => {
    const config = load({ ENVIRONMENT: 'staging' });
    expect(config.isProduction).toBe(true);
    expect(config.AUTO_RUN_MIGRATIONS).toBe(false);
    expect(config.ENABLE_API_DOCS).toBe(false);
    expect(load({ ENVIRONMENT: 'staging', AUTO_RUN_MIGRATIONS: 'true' }).AUTO_RUN_MIGRATIONS).toBe(
      true,
    );
  });

  it('reads .env.local over .env and the process environment over both, with ${VAR} interpolation', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aa-config-'));
    writeFileSync(
      join(dir, '.env'),
      'APP_NAME=from-dotenv\nAPP_VERSION=9.9.9\nAPP_DESCRIPTION=${APP_NAME} service\n',
    );
    writeFileSync(join(dir, '.env.local'), 'APP_NAME=from-local\n');
    const config = loadConfig({ APP_VERSION: '2.0.0' }, { cwd: dir });
    expect(config.APP_NAME).toBe('from-local');
    expect(config.APP_VERSION).toBe('2.0.0');
    expect(config.APP_DESCRIPTION).toBe('from-local service');
  });
});

describe('masking', () => {
  it('follows the reference rule', () => {
    expect(maskSecret(undefined)).toBe('<missing>');
    expect(maskSecret('  ')).toBe('<missing>');
    expect(maskSecret('abcd')).toBe('****');
    expect(maskSecret('sk_test_1234567890')).toBe('sk************7890');
    expect(maskSecret('abcdefg')).toBe('ab***defg');
  });

  it('masks URL passwords and sensitive settings in the effective config', () => {
    expect(maskUrlCredentials('postgresql://app:hunter2@db:5432/app')).toBe(
      'postgresql://app:***@db:5432/app',
    );
    const masked = maskedConfig(
      load({
        DATABASE_URL: 'postgresql://app:hunter2@db/app',
        SECRET_KEY: 'super-secret-value',
        APP_NAME: 'x',
      }),
    );
    expect(JSON.stringify(masked)).not.toContain('hunter2');
    expect(JSON.stringify(masked)).not.toContain('super-secret-value');
    expect(masked.APP_NAME).toBe('x');
  });
});
