/**
 * Reference retry schedule: `base * 2^(attempts-1)` capped at `max`, where `attempts` already
 * counts the failed try (30 s, 60 s, 120 s, 240 s, 480 s, then 600 s).
 */
export function retryDelaySeconds(
  attempts: number,
  baseSeconds: number,
  maxSeconds: number,
): number {
  const exponent = Math.max(0, attempts - 1);
  return Math.min(baseSeconds * 2 ** Math.min(exponent, 30), maxSeconds);
}
