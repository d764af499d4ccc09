import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus } from 'node:os';
import { prepareBackends } from './lib/bench-database';
import { countTransactionsWith, formatTable } from './lib/load';
import { authScenario } from './scenarios/auth.scenario';
import { billingStreamScenario, webhookScenario } from './scenarios/billing.scenarios';
import { chatScenario } from './scenarios/chat.scenario';
import { httpScenario } from './scenarios/http.scenario';
import type { Scenario } from './scenarios/scenario';

const SCENARIOS: Scenario[] = [
  httpScenario,
  authScenario,
  chatScenario,
  billingStreamScenario,
  webhookScenario,
];

/**
 * `npm run bench [-- <scenario...>] [--duration=10] [--connections=50]`: each scenario starts
 * its servers in child processes and loads them with autocannon from this process.
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flag = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  const names = args.filter((a) => !a.startsWith('--'));
  const selected = names.length > 0 ? SCENARIOS.filter((s) => names.includes(s.name)) : SCENARIOS;
  const load = {
    durationSeconds: Number(flag('duration') ?? 10),
    warmupSeconds: Number(flag('warmup') ?? 2),
    connections: Number(flag('connections') ?? 50),
  };
  const rounds = Number(flag('rounds') ?? 3);
  const backends = await prepareBackends();
  countTransactionsWith(() => backends.transactions());
  process.stdout.write(
    `Benchmark on ${cpus().length} CPU(s) (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}; ${backends.description}\n` +
      `load: ${load.durationSeconds}s per run after ${load.warmupSeconds}s warm-up, ${load.connections} connections, ` +
      `${rounds} interleaved rounds per comparison (median)\n`,
  );
  const report: Record<string, unknown> = {
    at: new Date().toISOString(),
    backends: backends.description,
    load,
  };
  try {
    for (const scenario of selected) {
      process.stdout.write(`\n== ${scenario.name}: ${scenario.description}\n`);
      const outcome = await scenario.run({ backends, load, rounds });
      const rows = outcome.results.map((r) => ({
        run: r.name,
        'req/s': r.requestsPerSecond,
        'p50 ms': r.p50Ms,
        'p99 ms': r.p99Ms,
        'cpu µs/req': r.cpuMicrosPerRequest ?? '-',
        'pg tx/req': r.io?.pgTransactions ?? '-',
        'pg q/req': r.io?.pgQueries ?? '-',
        'redis cmd/req': r.io?.redisCommands ?? '-',
        'redis rt/req': r.io?.redisRoundTrips ?? '-',
        errors: r.errors,
        non2xx: r.non2xx,
      }));
      if (rows.length > 0) process.stdout.write(`${formatTable(rows)}\n`);
      if (outcome.rows?.length) process.stdout.write(`${formatTable(outcome.rows)}\n`);
      for (const note of outcome.notes) process.stdout.write(`  ${note}\n`);
      report[scenario.name] = outcome;
    }
  } finally {
    await backends.cleanup();
  }
  const dir = join(process.cwd(), '.bench');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'last-run.json'), `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`\nfull results: .bench/last-run.json\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
