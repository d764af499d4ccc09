import { AppConfig } from './app-config';
import { settingsOf, type SettingGroup } from './setting.decorator';

const GROUP_TITLES: Record<SettingGroup, string> = {
  application: 'Application',
  http: 'HTTP server, CORS, hosts, proxies',
  observability: 'Logging, metrics, probes',
  database: 'Postgres (unset DATABASE_URL = embedded PGlite, development only)',
  redis: 'Redis (unset REDIS_URL = in-process Redis, development only)',
  'rate-limits': 'Rate limits (a limit <= 0 disables the quota)',
  auth: 'Auth: tokens, keys, sessions, passwords, lockout',
  signup: 'Signup',
  email: 'Email delivery (unset SMTP_URL = logged, development only)',
  vault: 'Vault (KV keyset storage, Transit-signed service-account issuance)',
  models: 'Models (unset OPENAI_API_KEY = offline model, development only)',
  tools: 'Agent tools',
  chat: 'Chat',
  billing: 'Billing (mounted only with ENABLE_BILLING=true)',
  stripe: 'Stripe',
  cli: 'Operator CLI',
};

function render(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map((item) => String(item)).join(',');
  if (typeof value === 'object')
    return Object.keys(value).length === 0 ? '' : JSON.stringify(value);
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * `.env.example`, generated from `AppConfig` so it always lists every setting with its default
 * (a unit test fails when the committed file drifts). Optional settings are commented out.
 */
export function renderEnvExample(): string {
  const defaults = new AppConfig() as unknown as Record<string, unknown>;
  const settings = settingsOf(defaults);
  const lines = [
    '# Every setting of the service with its default (generated from src/platform/config/app-config.ts:',
    '# `npm run env:example`). Precedence: process environment > .env.local > .env > defaults.',
    '# Lists accept JSON arrays or comma-separated values; maps accept JSON objects or key=value pairs.',
    '# Defaults marked (dev) change in production-like environments (anything but development|dev|local|test).',
  ];
  for (const group of Object.keys(GROUP_TITLES) as SettingGroup[]) {
    const members = settings.filter((s) => s.group === group);
    if (members.length === 0) continue;
    lines.push('', `# --- ${GROUP_TITLES[group]}`);
    for (const setting of members) {
      const value = render(defaults[setting.property]);
      const flags = [
        setting.sensitive ? 'secret' : '',
        setting.aliases?.length ? `alias ${setting.aliases.join(', ')}` : '',
      ]
        .filter(Boolean)
        .join('; ');
      const devNote = ['AUTO_RUN_MIGRATIONS', 'ENABLE_API_DOCS'].includes(setting.property)
        ? ' (dev; false in production)'
        : '';
      lines.push(`# ${setting.description}${devNote}${flags ? ` [${flags}]` : ''}`);
      lines.push(`${value === '' ? '# ' : ''}${setting.property}=${value}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
