import { measure, type LoadOptions, type LoadResult } from './load';

export interface Target {
  name: string;
  options: LoadOptions;
  server: { cpuMicros(): Promise<number> };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * Measures several targets in interleaved rounds and keeps each one's median: on a small shared
 * machine a single run can swing by ±20%, and interleaving spreads that drift over all targets.
 */
export async function measureInterleaved(targets: Target[], rounds: number): Promise<LoadResult[]> {
  const runs = new Map<string, LoadResult[]>(targets.map((t) => [t.name, []]));
  for (let round = 0; round < rounds; round += 1) {
    for (const target of targets) {
      runs
        .get(target.name)
        ?.push(
          await measure(
            target.name,
            { ...target.options, warmupSeconds: round === 0 ? 2 : 1 },
            target.server,
          ),
        );
    }
  }
  return targets.map((target) => {
    const results = runs.get(target.name) ?? [];
    const byRps = [...results].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
    const middle = byRps[Math.floor(byRps.length / 2)];
    return {
      ...middle,
      name: `${target.name} (median of ${results.length})`,
      cpuMicrosPerRequest: median(results.map((r) => r.cpuMicrosPerRequest ?? 0)),
      errors: results.reduce((sum, r) => sum + r.errors, 0),
      non2xx: results.reduce((sum, r) => sum + r.non2xx, 0),
    };
  });
}
