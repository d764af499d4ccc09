import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  interpolate,
  readDockerfile,
  renderCompose,
  ROOT,
  type ComposeModel,
  type ComposeService,
} from '../../support/container-files';

const BASE = ['docker-compose.yml'];
const WITH_PORTS = ['docker-compose.yml', 'docker-compose.ports.yml'];

/** The shell command of a CMD-SHELL (or exec-form CMD) healthcheck. */
function healthCommand(service: ComposeService): string {
  const test = service.healthcheck?.test ?? [];
  return test[0] === 'CMD-SHELL' ? test.slice(1).join(' ') : test.slice(1).join(' ');
}

/**
 * The password the Redis healthcheck authenticates with, as the shell inside the container sees
 * it: only the container's own environment is there (Compose's variables are not).
 */
function healthcheckPassword(service: ComposeService): string | undefined {
  const command = healthCommand(service);
  expect(command).toContain('redis-cli');
  const expanded = interpolate(command, service.environment);
  const flag = /(?:^|\s)(?:-a|--pass)\s+("[^"]*"|'[^']*'|\S+)/.exec(expanded);
  if (flag) return flag[1].replace(/^["']|["']$/g, '');
  // redis-cli reads REDISCLI_AUTH from its environment when no -a is given.
  return service.environment.REDISCLI_AUTH;
}

function requirepass(service: ComposeService): string | undefined {
  const command = service.command ?? [];
  const index = command.indexOf('--requirepass');
  return index >= 0 ? command[index + 1] : undefined;
}

function redisUrlPassword(service: ComposeService): string {
  return decodeURIComponent(new URL(service.environment.REDIS_URL).password);
}

function published(model: ComposeModel): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(model.services)
      .filter(([, service]) => service.ports.some((port) => port.published))
      .map(([name, service]) => [
        name,
        service.ports.map((port) => `${port.published}:${port.target}`),
      ]),
  );
}

describe('docker-compose.yml', () => {
  const model = renderCompose(BASE);

  it(`renders (${model.renderer}) with the expected services`, () => {
    expect(model.name).toBe('anything-agents');
    expect(Object.keys(model.services).sort()).toEqual(['api', 'migrate', 'postgres', 'redis']);
  });

  it.each([
    ['the default password', {}, 'redis-dev-password'],
    ['REDIS_PASSWORD=x', { REDIS_PASSWORD: 'x' }, 'x'],
  ])(
    'the Redis healthcheck authenticates with the password Redis started with (%s)',
    (_label, env: Record<string, string>, password) => {
      const { services } = renderCompose(BASE, env);
      expect(requirepass(services.redis)).toBe(password);
      expect(healthcheckPassword(services.redis)).toBe(password);
      // The shell of the healthcheck sees only the container's environment.
      for (const match of healthCommand(services.redis).matchAll(
        /\$\{?([A-Za-z_][A-Za-z0-9_]*)/g,
      )) {
        expect(services.redis.environment).toHaveProperty(match[1]);
      }
      expect(redisUrlPassword(services.api)).toBe(password);
      expect(redisUrlPassword(services.migrate)).toBe(password);
    },
  );

  it('catches a healthcheck that relies on a variable only Compose has (the old file)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aa-compose-old-'));
    try {
      const file = join(dir, 'old-compose.yml');
      writeFileSync(
        file,
        [
          'services:',
          '  redis:',
          '    image: redis:7',
          "    command: ['redis-server', '--requirepass', '${REDIS_PASSWORD:-redis-dev-password}']",
          '    healthcheck:',
          `      test: ['CMD-SHELL', 'redis-cli -a "$\${REDIS_PASSWORD:-redis-dev-password}" ping']`,
          '',
        ].join('\n'),
      );
      const { services } = renderCompose([file], { REDIS_PASSWORD: 'x' }, false);
      expect(requirepass(services.redis)).toBe('x');
      expect(healthcheckPassword(services.redis)).toBe('redis-dev-password');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('publishes only the API port by default', () => {
    expect(published(model)).toEqual({ api: ['8000:8000'] });
    expect(published(renderCompose(BASE, { API_PORT: '18000' }))).toEqual({
      api: ['18000:8000'],
    });
  });

  it('publishes Postgres and Redis only with the ports override, on configurable host ports', () => {
    expect(published(renderCompose(WITH_PORTS))).toEqual({
      api: ['8000:8000'],
      postgres: ['5432:5432'],
      redis: ['6379:6379'],
    });
    const moved = renderCompose(WITH_PORTS, { POSTGRES_PORT: '15432', REDIS_PORT: '16379' });
    expect(published(moved)).toMatchObject({ postgres: ['15432:5432'], redis: ['16379:6379'] });
  });

  it('mounts the keys volume on a directory the image creates and owns for its non-root user', () => {
    const api = model.services.api;
    const keys = api.volumes.find((volume) => volume.source === 'api-keys');
    expect(keys?.target).toBe('/app/var/keys');
    expect(model.volumes).toHaveProperty('api-keys');
    expect(api.environment.AUTH_KEY_STORAGE_PATH).toBe('/app/var/keys/keyset.json');

    const runtime = readDockerfile().stages.at(-1)!;
    const user = runtime.instructions.filter((i) => i.keyword === 'USER').at(-1)?.args;
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
    const run = runtime.instructions
      .filter((i) => i.keyword === 'RUN')
      .map((i) => i.args)
      .join(' && ');
    // A new named volume starts as a copy of the image's directory, ownership included.
    expect(run).toMatch(new RegExp(`mkdir -p (\\S+ )*${keys!.target}(\\s|$)`));
    expect(run).toMatch(new RegExp(`chown -R ${user}:\\S+ /app/var(\\s|$)`));
  });

  it('starts the API after the migrations and a healthy Redis; the migrations after Postgres', () => {
    expect(model.services.api.depends_on).toMatchObject({
      migrate: { condition: 'service_completed_successfully' },
      redis: { condition: 'service_healthy' },
    });
    expect(model.services.migrate.depends_on).toMatchObject({
      postgres: { condition: 'service_healthy' },
    });
    expect(model.services.migrate.command).toEqual(['node', 'dist/src/cli.js', 'migrate', 'up']);
  });

  it('says that it needs Compose v2', () => {
    const text = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');
    expect(text).toMatch(/^# .*Docker Compose v2/m);
  });
});

describe('compose interpolation (the fallback renderer)', () => {
  it('follows Compose: defaults for unset or empty, $$ escapes', () => {
    const env = { SET: 'a', EMPTY: '' };
    expect(interpolate('${SET:-d} ${UNSET:-d} ${EMPTY:-d} ${EMPTY-d} $SET $$SET', env)).toBe(
      'a d d  a $SET',
    );
  });
});
