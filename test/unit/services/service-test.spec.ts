import { Inject, Injectable, Optional } from '@nestjs/common';
import { AppConfig } from '../../../src/platform/config/app-config';
import { LoggerFactory } from '../../../src/platform/observability/logger.factory';
import { MetricsService } from '../../../src/platform/observability/metrics.service';
import { AuthMetrics } from '../../../src/modules/auth/auth.metrics';
import { automock, metricValue, newTestService } from '../../support/service-test';

class BaseStore {
  base(): string {
    return 'real base';
  }
}

class Store extends BaseStore {
  private readonly rows = ['real'];

  find(): string[] {
    return this.rows;
  }

  get size(): number {
    return this.rows.length;
  }
}

@Injectable()
class Subject {
  constructor(
    readonly config: AppConfig,
    readonly store: Store,
    readonly metrics: AuthMetrics,
    readonly loggers: LoggerFactory,
    readonly registry: MetricsService,
  ) {}

  count(): number {
    this.metrics.lockouts.inc({ reason: 'user' });
    return this.store.find().length;
  }
}

@Injectable()
class WithToken {
  constructor(
    @Inject('CLOCK') readonly clock: { now(): number },
    @Optional() @Inject('MAYBE') readonly maybe?: unknown,
  ) {}
}

describe('newTestService / automock (test/support/service-test.ts)', () => {
  it('mocks every method of the prototype chain; accessors become writable fields', () => {
    const store = automock(Store);
    expect(store).toBeInstanceOf(Store);
    expect(store.find()).toBeUndefined();
    expect(store.base()).toBeUndefined();
    expect(jest.isMockFunction(store.find) && jest.isMockFunction(store.base)).toBe(true);
    expect(store.size).toBeUndefined();
    (store as { size: number }).size = 7;
    expect(store.size).toBe(7);
  });

  it('builds the service from its constructor metadata, with config, loggers and real metrics', async () => {
    const { sut, mocks } = newTestService(Subject, {
      env: { AUTH_LOCKOUT_THRESHOLD: '9' },
      config: { CHAT_MAX_MESSAGE_CHARS: 12 },
    });
    expect(sut.config).toBe(mocks.config);
    expect(mocks.config.AUTH_LOCKOUT_THRESHOLD).toBe(9);
    expect(mocks.config.CHAT_MAX_MESSAGE_CHARS).toBe(12);
    expect(sut.loggers).toBe(mocks.loggers);
    expect(sut.loggers.get('x').isLevelEnabled('error')).toBe(false);
    expect(sut.registry).toBe(mocks.metrics);
    expect(sut.store).toBe(mocks.get(Store));

    mocks.get(Store).find.mockReturnValue(['a', 'b']);
    expect(sut.count()).toBe(2);
    expect(await metricValue(mocks.value(AuthMetrics).lockouts, { reason: 'user' })).toBe(1);
    expect(() => mocks.get(BaseStore)).toThrow('BaseStore is not a dependency of Subject');
  });

  it('needs an explicit value for a string token, leaves an optional one undefined', () => {
    expect(() => newTestService(WithToken)).toThrow(
      'newTestService(WithToken): constructor parameter #0 is the token CLOCK; pass it in `providers`',
    );
    const clock = { now: () => 42 };
    const { sut, mocks } = newTestService(WithToken, {
      providers: [{ provide: 'CLOCK', useValue: clock }],
    });
    expect(sut.clock).toBe(clock);
    expect(mocks.value('CLOCK')).toBe(clock);
    expect(sut.maybe).toBeUndefined();
  });
});
