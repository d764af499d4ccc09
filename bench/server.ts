import 'reflect-metadata';
// First, as in src/main.ts: tracing (when OTEL_* asks for it) patches http, pg and ioredis.
import '../src/platform/observability/tracing/register';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { AddressInfo } from 'node:net';
import { writeHeapSnapshot } from 'node:v8';
import { createApp } from '../src/app.factory';
import { loadConfig } from '../src/platform/config/load-config';
import { createLogger } from '../src/platform/observability/logger';
import { BillingBenchModule } from './billing-bench.module';
import { BenchHelloModule } from './hello.module';
import { prepareScenarioState } from './server-state';
import { startBenchOpenAIFake } from './lib/bench-openai-fake';
import { installIoCounters, ioCounts } from './io-counters';

installIoCounters();

@Controller('__bench')
class MemoryController {
  /** Memory after two full collections a tick apart (the second frees what finalizers released). */
  @Get('memory')
  async memory(): Promise<NodeJS.MemoryUsage> {
    global.gc?.();
    await new Promise((resolve) => setTimeout(resolve, 50));
    global.gc?.();
    return process.memoryUsage();
  }

  /** Writes a V8 heap snapshot (for investigating memory) and returns its path. */
  @Get('heap-snapshot')
  heapSnapshot(): { path: string } {
    global.gc?.();
    return { path: writeHeapSnapshot(`/tmp/bench-${process.pid}-${Date.now()}.heapsnapshot`) };
  }

  /** Process CPU time so far (µs): CPU per request is steadier than req/s on a shared 2-core box. */
  @Get('cpu')
  cpu(): NodeJS.CpuUsage {
    return process.cpuUsage();
  }

  /** Backend round trips so far (bench/io-counters.ts); per request, they show a regression. */
  @Get('io')
  io(): typeof ioCounts {
    return { ...ioCounts };
  }
}

@Module({ controllers: [MemoryController] })
class BenchProbeModule {}

/** The bare NestJS app: the hello route plus the CPU/memory probe, nothing else. */
@Module({ imports: [BenchHelloModule, BenchProbeModule] })
class BareBenchModule {}

/** Child process of the benchmark: one server of the requested kind, announced as a JSON line. */
async function main(): Promise<void> {
  const [kind, rawOptions] = process.argv.slice(2);
  const options = JSON.parse(rawOptions ?? '{}') as Record<string, unknown>;
  let app: NestExpressApplication;
  let info: Record<string, unknown> = {};
  if (kind === 'openai-fake') {
    const fake = await startBenchOpenAIFake();
    process.stdout.write(
      `${JSON.stringify({ bench: 'ready', url: fake.url, info: { baseURL: fake.baseURL } })}\n`,
    );
    process.on('SIGTERM', () => void fake.close().then(() => process.exit(0)));
    return;
  }
  if (kind === 'bare-nest') {
    // A plain NestJS app with one route: what the framework alone costs.
    app = await NestFactory.create<NestExpressApplication>(BareBenchModule, { logger: false });
  } else {
    const config = loadConfig(process.env, { readDotenvFiles: false });
    const logger = createLogger({ level: config.LOG_LEVEL, format: 'json' });
    const extra = kind === 'app-billing' ? [BillingBenchModule] : [];
    app = await createApp(config, logger, {
      extraImports: [BenchHelloModule, BenchProbeModule, ...extra],
    });
    info = await prepareScenarioState(app, kind, options);
  }
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  process.stdout.write(
    `${JSON.stringify({ bench: 'ready', url: `http://127.0.0.1:${port}`, info })}\n`,
  );
  process.on('SIGTERM', () => {
    void app.close().then(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench server failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
