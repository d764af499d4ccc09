import 'reflect-metadata';
import type { Type } from '@nestjs/common';
import pino from 'pino';
import { AppConfig } from '../../src/platform/config/app-config';
import { loadConfig } from '../../src/platform/config/load-config';
import { LoggerFactory } from '../../src/platform/observability/logger.factory';
import { MetricsService } from '../../src/platform/observability/metrics.service';

/**
 * Service unit tests without a database, Redis or a Nest container (model: immich
 * `server/test/utils.ts` `newTestService` + `automock`).
 *
 *     const { sut, mocks } = newTestService(LoginService, { env: { AUTH_LOCKOUT_THRESHOLD: '3' } });
 *     mocks.get(UserRepository).findByEmail.mockResolvedValue(user);
 *
 * The constructor's dependencies come from the metadata Nest injects by (`design:paramtypes`,
 * with `@Inject(token)` and `forwardRef` read from `self:paramtypes`), and each one is:
 * - a `providers` override, when the test passes one for that token;
 * - `AppConfig`: `loadConfig({ENVIRONMENT: 'test', ...env}, {readDotenvFiles: false})`, then
 *   `config` assigned over it;
 * - `LoggerFactory`: a silent pino root; `MetricsService`: a fresh registry without defaults;
 * - a `...Metrics` class whose constructor takes only `MetricsService` (AuthMetrics, ChatMetrics,
 *   ...): the real one on that registry, so a test can read counters (`metricValue`);
 * - any other class (repositories, other services, DataSource, RedisService): an automock, a
 *   `jest.fn()` for every method on its prototype chain (returning undefined until the test
 *   gives it a value) and a writable `undefined` in place of each accessor; it passes
 *   `instanceof`, and its constructor never runs.
 * A string/symbol token or an untyped parameter (an interface, `Object`) without an override is
 * an error naming the parameter.
 */
export type Token = Type<unknown> | string | symbol;

export interface TestProvider {
  provide: Token;
  useValue: unknown;
}

export interface TestServiceOptions {
  /** Environment for `loadConfig` (validated like the real one). */
  env?: Record<string, string>;
  /** Assigned over the loaded config (values `loadConfig` cannot express, or to skip parsing). */
  config?: Partial<AppConfig>;
  /** Explicit values for some dependencies (a real collaborator, a hand-written fake). */
  providers?: TestProvider[];
}

export interface ServiceMocks {
  readonly config: AppConfig;
  readonly loggers: LoggerFactory;
  readonly metrics: MetricsService;
  /** The automock given for a class token (or whatever value stands for that token). */
  get<T>(token: Type<T>): jest.Mocked<T>;
  /** The value given for a token, untyped as the real thing (config, metrics classes, fakes). */
  value<T>(token: Type<T> | string | symbol): T;
}

export interface TestService<S> {
  sut: S;
  mocks: ServiceMocks;
}

interface SelfDeclaredDep {
  index: number;
  param: unknown;
}

const SELF_DECLARED_DEPS = 'self:paramtypes';
const OPTIONAL_DEPS = 'optional:paramtypes';

/** A `jest.fn()` for every prototype method of `Class` (and its bases); accessors become fields. */
export function automock<T>(Class: Type<T>): jest.Mocked<T> {
  const mock: Record<string | symbol, unknown> = {};
  for (
    let proto: object | null = Class.prototype as object;
    proto && proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto) as object | null
  ) {
    for (const key of Reflect.ownKeys(proto)) {
      if (key === 'constructor' || Object.prototype.hasOwnProperty.call(mock, key)) continue;
      const descriptor = Object.getOwnPropertyDescriptor(proto, key);
      if (!descriptor) continue;
      if (typeof descriptor.value === 'function') {
        mock[key] = jest.fn().mockName(`${Class.name}.${String(key)}`);
      } else if (descriptor.get || descriptor.set) {
        Object.defineProperty(mock, key, { value: undefined, writable: true, enumerable: true });
      }
    }
  }
  return Object.setPrototypeOf(mock, Class.prototype as object) as jest.Mocked<T>;
}

/** Builds `Service` with every dependency faked; see the file comment for what each one gets. */
export function newTestService<S>(
  Service: Type<S>,
  options: TestServiceOptions = {},
): TestService<S> {
  const config = loadConfig({ ENVIRONMENT: 'test', ...options.env }, { readDotenvFiles: false });
  Object.assign(config, options.config ?? {});
  const metrics = new MetricsService({ defaultMetrics: false });
  const loggers = new LoggerFactory(pino({ level: 'silent' }));
  const values = new Map<unknown, unknown>([
    [AppConfig, config],
    [MetricsService, metrics],
    [LoggerFactory, loggers],
  ]);
  for (const provider of options.providers ?? []) values.set(provider.provide, provider.useValue);

  const resolve = (token: unknown, where: string, optional: boolean): unknown => {
    if (values.has(token)) return values.get(token);
    if (typeof token !== 'function' || token === Object) {
      if (optional) return undefined;
      throw new Error(
        `newTestService(${Service.name}): ${where} is ${describeToken(token)}; ` +
          'pass it in `providers`',
      );
    }
    const Class = token as Type<unknown>;
    const made = isMetricsFamily(Class) ? new Class(metrics) : automock(Class);
    values.set(token, made);
    return made;
  };

  const dependencies = constructorTokens(Service).map(({ token, optional }, index) =>
    resolve(token, `constructor parameter #${index}`, optional),
  );
  const sut = new Service(...dependencies);
  const mocks: ServiceMocks = {
    config,
    loggers,
    metrics,
    get: <T>(token: Type<T>) => lookup(values, token, Service) as jest.Mocked<T>,
    value: <T>(token: Type<T> | string | symbol) => lookup(values, token, Service) as T,
  };
  return { sut, mocks };
}

/** What `metricValue` reads: any prom-client counter, gauge or histogram. */
interface MetricReader {
  get(): Promise<{
    type: unknown;
    values: { value: number; labels: object; metricName?: string }[];
  }>;
}

/** The current value of a counter/gauge (or a histogram's observation count) for `labels`. */
export async function metricValue(
  metric: MetricReader,
  labels: Record<string, string> = {},
): Promise<number> {
  const data = await metric.get();
  const wanted = Object.entries(labels);
  const isHistogram = String(data.type) === 'histogram';
  const matching = data.values.filter((sample) => {
    const sampleLabels = sample.labels as Record<string, unknown>;
    if (isHistogram && !(sample.metricName ?? '').endsWith('_count')) return false;
    return wanted.every(([key, value]) => sampleLabels[key] === value);
  });
  return matching.reduce((sum, sample) => sum + sample.value, 0);
}

function constructorTokens(Service: Type<unknown>): { token: unknown; optional: boolean }[] {
  const designed = (Reflect.getMetadata('design:paramtypes', Service) as unknown[]) ?? [];
  const declared = (Reflect.getMetadata(SELF_DECLARED_DEPS, Service) as SelfDeclaredDep[]) ?? [];
  const optional = (Reflect.getMetadata(OPTIONAL_DEPS, Service) as number[]) ?? [];
  const length = Math.max(designed.length, Service.length, ...declared.map((d) => d.index + 1));
  return Array.from({ length }, (_, index) => {
    let token = declared.find((d) => d.index === index)?.param ?? designed[index];
    const forward = (token as { forwardRef?: () => unknown } | undefined)?.forwardRef;
    if (typeof forward === 'function') token = forward();
    return { token, optional: optional.includes(index) };
  });
}

function isMetricsFamily(Class: Type<unknown>): boolean {
  const params = (Reflect.getMetadata('design:paramtypes', Class) as unknown[]) ?? [];
  return (
    Class.name.endsWith('Metrics') &&
    params.length > 0 &&
    params.every((param) => param === MetricsService)
  );
}

function lookup(values: Map<unknown, unknown>, token: unknown, Service: Type<unknown>): unknown {
  if (!values.has(token)) {
    throw new Error(`${describeToken(token)} is not a dependency of ${Service.name}`);
  }
  return values.get(token);
}

function describeToken(token: unknown): string {
  if (token === undefined) return 'undefined (a circular import, or no emitted metadata)';
  if (token === Object) return 'untyped (an interface or type-only import)';
  if (typeof token === 'function') return (token as { name: string }).name || 'an anonymous class';
  if (typeof token === 'string' || typeof token === 'symbol')
    return `the token ${token.toString()}`;
  return `the ${typeof token} token ${JSON.stringify(token)}`;
}
