/** Median of a list of numbers (the mean of the middle two for an even count). */
export function median(values: number[]): number {
  if (values.length === 0) throw new Error('median of nothing');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Milliseconds `action` took, with its result. */
export async function timed<T>(action: () => PromiseLike<T>): Promise<{ ms: number; result: T }> {
  const started = process.hrtime.bigint();
  const result = await action();
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, result };
}

/**
 * Runs the two probes alternately (`a` then `b`, `tries` times each, after `warmup` untimed
 * rounds), so drift in machine load hits both equally. Returns each side's timings and results.
 */
export async function interleaved<T>(
  tries: number,
  a: (index: number) => PromiseLike<T>,
  b: (index: number) => PromiseLike<T>,
  warmup = 3,
): Promise<{ a: { ms: number[]; results: T[] }; b: { ms: number[]; results: T[] } }> {
  for (let i = 0; i < warmup; i += 1) {
    await a(tries + i);
    await b(tries + i);
  }
  const out = {
    a: { ms: [] as number[], results: [] as T[] },
    b: { ms: [] as number[], results: [] as T[] },
  };
  for (let i = 0; i < tries; i += 1) {
    const first = i % 2 === 0 ? 'a' : 'b';
    for (const side of first === 'a' ? (['a', 'b'] as const) : (['b', 'a'] as const)) {
      const { ms, result } = await timed(() => (side === 'a' ? a(i) : b(i)));
      out[side].ms.push(ms);
      out[side].results.push(result);
    }
  }
  return out;
}

/**
 * The median of the per-round differences `b[i] - a[i]` (the two probes of one round ran back
 * to back): a robust estimate of how much slower `b` is, insensitive to load that drifts over
 * the run (a difference of two medians is not, on a busy 2-core machine).
 */
export function pairedMedianGap(a: number[], b: number[]): number {
  if (a.length !== b.length) throw new Error('unpaired timings');
  return median(a.map((ms, index) => b[index] - ms));
}
