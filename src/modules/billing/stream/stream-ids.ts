/** Redis stream entry ids (`<ms>-<seq>`): validation and ordering. */
const STREAM_ID = /^(\d{1,20})-(\d{1,20})$/;

export const STREAM_START = '0-0';

export function isStreamId(value: string): boolean {
  return STREAM_ID.test(value);
}

/** Negative when a < b, zero when equal, positive when a > b. */
export function compareStreamIds(a: string, b: string): number {
  const [aMs, aSeq] = split(a);
  const [bMs, bSeq] = split(b);
  if (aMs !== bMs) return aMs < bMs ? -1 : 1;
  if (aSeq !== bSeq) return aSeq < bSeq ? -1 : 1;
  return 0;
}

function split(id: string): [bigint, bigint] {
  const match = STREAM_ID.exec(id);
  return match ? [BigInt(match[1]), BigInt(match[2])] : [0n, 0n];
}

/** The reference per-tenant stream key. */
export function tenantStreamKey(tenantId: string): string {
  return `billing:events:tenant:${tenantId}`;
}
