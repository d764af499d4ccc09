import { randomBytes } from 'node:crypto';
import { AppConfig } from '../../../platform/config/app-config';
import { settingsOf } from '../../../platform/config/setting.decorator';

/**
 * The service's own secrets, which production refuses to run with starter values or without:
 * SECRET_KEY, every sensitive pepper and salt, and the session encryption key. Credentials of
 * other services (database URLs, API keys, Stripe and Vault secrets) are issued by those services.
 */
const OWN_SECRET = /^SECRET_KEY$|_(PEPPER|SALT|ENCRYPTION_KEY)$/;

export function productionSecretNames(): string[] {
  return settingsOf(new AppConfig())
    .filter((setting) => setting.sensitive && OWN_SECRET.test(setting.property))
    .map((setting) => setting.property);
}

/** A fresh value for each: 32 random bytes, base64url (43 characters, safe in .env and URLs). */
export function generateProductionSecrets(
  random: (size: number) => Buffer = randomBytes,
): Record<string, string> {
  return Object.fromEntries(
    productionSecretNames().map((name) => [name, random(32).toString('base64url')]),
  );
}
