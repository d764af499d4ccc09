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

/** Commented example values of optional settings whose blank default says little. */
const EXAMPLES: Record<string, string> = {
  DATABASE_URL: 'postgresql://postgres:postgres@127.0.0.1:5432/anything_agents',
  REDIS_URL: 'redis://127.0.0.1:6379/0',
};

interface OtherVariable {
  name: string;
  description: string;
  example: string;
}

/** Variables read by other tools than the service (it ignores them), listed after its settings. */
const OTHER_SECTIONS: { title: string; variables: OtherVariable[] }[] = [
  {
    title:
      'Docker Compose v2 (`docker compose` reads these from .env for docker-compose.yml; the service does not)',
    variables: [
      {
        name: 'REDIS_PASSWORD',
        description:
          "Password Redis starts with; its healthcheck and the api's REDIS_URL use the same (URL-safe characters)",
        example: 'redis-dev-password',
      },
      { name: 'API_PORT', description: 'Host port of the API', example: '8000' },
      {
        name: 'COMPOSE_FILE',
        description: 'Add docker-compose.ports.yml to also publish Postgres and Redis on the host',
        example: 'docker-compose.yml:docker-compose.ports.yml',
      },
      {
        name: 'POSTGRES_PORT',
        description: 'Host port of Postgres (with docker-compose.ports.yml)',
        example: '5432',
      },
      {
        name: 'REDIS_PORT',
        description: 'Host port of Redis (with docker-compose.ports.yml)',
        example: '6379',
      },
    ],
  },
  {
    title:
      'Tracing (read by the OpenTelemetry SDK; off unless an endpoint is set; docs/operations.md)',
    variables: [
      {
        name: 'OTEL_EXPORTER_OTLP_ENDPOINT',
        description: 'OTLP collector base URL; setting it turns tracing on',
        example: 'http://localhost:4318',
      },
      {
        name: 'OTEL_EXPORTER_OTLP_PROTOCOL',
        description: 'http/protobuf (default), http/json or grpc',
        example: 'http/protobuf',
      },
      {
        name: 'OTEL_SERVICE_NAME',
        description: 'service.name of the spans (default anything-agents-api)',
        example: 'anything-agents-api',
      },
      {
        name: 'OTEL_TRACES_SAMPLER',
        description: 'Sampler, e.g. parentbased_traceidratio with OTEL_TRACES_SAMPLER_ARG=0.1',
        example: 'parentbased_always_on',
      },
    ],
  },
  {
    title: 'Tests (`npm test` reads these from its environment, not from .env)',
    variables: [
      {
        name: 'TEST_POSTGRES_URL',
        description: 'Postgres admin URL; each run creates and drops a throwaway database there',
        example: 'postgresql://postgres@127.0.0.1:5432/postgres',
      },
      {
        name: 'TEST_REDIS_URL',
        description: 'Redis URL; each run uses its own key prefix',
        example: 'redis://127.0.0.1:6379/0',
      },
      {
        name: 'TEST_LOG_LEVEL',
        description: "Level of the test apps' captured logs (debug keeps debug lines)",
        example: 'info',
      },
      {
        name: 'TEST_KEEP_DATABASE',
        description: "true keeps the run's throwaway database for inspection",
        example: 'false',
      },
    ],
  },
];

export const ENV_EXAMPLE_OTHER_VARIABLES: readonly OtherVariable[] = OTHER_SECTIONS.flatMap(
  (section) => section.variables,
);

function render(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map((item) => String(item)).join(',');
  if (typeof value === 'object')
    return Object.keys(value).length === 0 ? '' : JSON.stringify(value);
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * `.env.example`, generated from `AppConfig` so it always lists every setting with its default
 * (a unit test fails when the committed file drifts). Optional settings are commented out, some
 * with an example value; the Compose and test variables follow, all commented out.
 */
export function renderEnvExample(): string {
  const defaults = new AppConfig() as unknown as Record<string, unknown>;
  const settings = settingsOf(defaults);
  const lines = [
    '# Every setting of the service with its default (generated from src/platform/config/app-config.ts:',
    '# `npm run env:example`). Precedence: process environment > .env.local > .env > defaults.',
    '# Lists accept JSON arrays or comma-separated values; maps accept JSON objects or key=value pairs.',
    '# Defaults marked (dev) change in production-like environments (anything but development|dev|local|test).',
    '# A blank value (`NAME=`) of an optional setting means unset.',
    '# Production refuses the starter secrets below: `npm run cli -- secrets generate` prints fresh values for',
    '# SECRET_KEY, every pepper and salt and AUTH_SESSION_ENCRYPTION_KEY as env lines (or use',
    '# `openssl rand -base64 48` for each). Changing a pepper or salt of a running deployment invalidates what',
    '# was hashed with it.',
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
      lines.push(
        value === ''
          ? `# ${setting.property}=${EXAMPLES[setting.property] ?? ''}`
          : `${setting.property}=${value}`,
      );
    }
  }
  for (const section of OTHER_SECTIONS) {
    lines.push('', `# --- ${section.title}`);
    for (const variable of section.variables) {
      lines.push(`# ${variable.description}`, `# ${variable.name}=${variable.example}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
