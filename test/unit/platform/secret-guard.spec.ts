import { loadConfig } from '../../../src/platform/config/load-config';
import {
  assertProductionSafe,
  ProductionSafetyError,
  secretWarnings,
} from '../../../src/platform/config/secret-guard';

const load = (env: Record<string, string>) => loadConfig(env, { readDotenvFiles: false });

/** A production environment with every secret and dependency set properly. */
const SAFE_PRODUCTION: Record<string, string> = {
  ENVIRONMENT: 'production',
  SECRET_KEY: 'a-real-secret-key-0123456789',
  AUTH_PASSWORD_PEPPER: 'pepper-0123456789abcdef',
  AUTH_REFRESH_TOKEN_PEPPER: 'refresh-pepper-0123456789',
  AUTH_EMAIL_VERIFICATION_TOKEN_PEPPER: 'verify-pepper-0123456789',
  AUTH_PASSWORD_RESET_TOKEN_PEPPER: 'reset-pepper-0123456789',
  AUTH_JWKS_ETAG_SALT: 'etag-salt-0123456789',
  AUTH_SESSION_IP_HASH_SALT: 'ip-salt-0123456789',
  AUTH_SESSION_ENCRYPTION_KEY: 'session-key-0123456789',
  AUTH_KEY_STORAGE_PATH: '/var/lib/anything-agents/keyset.json',
  DATABASE_URL: 'postgresql://app:pw@db:5432/app',
  REDIS_URL: 'redis://redis:6379/0',
  OPENAI_API_KEY: 'sk-live-openai',
  SMTP_URL: 'smtp://mail:587',
  VAULT_VERIFY_ENABLED: 'true',
  VAULT_ADDR: 'https://vault:8200',
  VAULT_TOKEN: 'vault-token',
};

function productionProblems(env: Record<string, string>): string[] {
  try {
    assertProductionSafe(load(env));
    return [];
  } catch (error) {
    if (error instanceof ProductionSafetyError) return error.problems;
    throw error;
  }
}

describe('secret guard', () => {
  it('detects the reference placeholders and the default key path', () => {
    const warnings = secretWarnings(
      load({ SECRET_KEY: 'change-me', AUTH_PASSWORD_PEPPER: 'change-me-too' }),
    );
    expect(warnings).toEqual(
      expect.arrayContaining([
        'SECRET_KEY is using the starter value',
        'AUTH_PASSWORD_PEPPER is using the starter value',
        'AUTH_REFRESH_TOKEN_PEPPER is using the starter value',
        'AUTH_KEY_STORAGE_PATH still points to var/keys/keyset.json',
      ]),
    );
  });

  it('covers the peppers and salt the reference forgot, including the README change-me value', () => {
    const warnings = secretWarnings(load({ AUTH_PASSWORD_RESET_TOKEN_PEPPER: 'change-me' }));
    expect(warnings).toEqual(
      expect.arrayContaining([
        'AUTH_PASSWORD_RESET_TOKEN_PEPPER is using the starter value',
        'AUTH_EMAIL_VERIFICATION_TOKEN_PEPPER is using the starter value',
        'AUTH_JWKS_ETAG_SALT is using the starter value',
      ]),
    );
  });

  it('lets development start with defaults (warnings only)', () => {
    expect(() => assertProductionSafe(load({ ENVIRONMENT: 'development' }))).not.toThrow();
  });

  it('enforces in forced mode regardless of environment', () => {
    expect(() => assertProductionSafe(load({}), { force: true })).toThrow(
      /^Production environment cannot start with default secrets\. Fix the following: SECRET_KEY is using the starter value/,
    );
  });

  it('accepts a fully configured production environment', () => {
    expect(productionProblems(SAFE_PRODUCTION)).toEqual([]);
  });

  it('treats unknown environments as production and refuses placeholders there', () => {
    const problems = productionProblems({
      ...SAFE_PRODUCTION,
      ENVIRONMENT: 'qa-eu',
      SECRET_KEY: 'change-me',
    });
    expect(problems).toEqual(['SECRET_KEY is using the starter value']);
  });

  it('refuses DEBUG=true, embedded parts, dev-local issuance and test Stripe keys in production', () => {
    const env: Record<string, string> = {
      ...SAFE_PRODUCTION,
      DEBUG: 'true',
      STRIPE_SECRET_KEY: 'sk_test_abc',
      VAULT_VERIFY_ENABLED: 'false',
    };
    delete env.DATABASE_URL;
    delete env.REDIS_URL;
    delete env.OPENAI_API_KEY;
    const problems = productionProblems(env);
    expect(problems).toEqual(
      expect.arrayContaining([
        'DEBUG=true is not allowed in production',
        expect.stringMatching(/^DATABASE_URL must be set/),
        expect.stringMatching(/^REDIS_URL must be set/),
        expect.stringMatching(/^OPENAI_API_KEY must be set/),
        expect.stringMatching(/^VAULT_VERIFY_ENABLED must be true/),
        'STRIPE_SECRET_KEY is a test-mode key',
      ]),
    );
  });

  it('refuses session salts falling back to SECRET_KEY in production', () => {
    const env: Record<string, string> = { ...SAFE_PRODUCTION };
    delete env.AUTH_SESSION_IP_HASH_SALT;
    expect(productionProblems(env)).toEqual([
      expect.stringMatching(/^AUTH_SESSION_IP_HASH_SALT must be set/),
    ]);
  });
});
