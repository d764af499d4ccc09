import type { KeyMaterial, PublicJwk } from './key-material';

/**
 * The keyset document shared by every storage backend. `retired` is our addition (decision A4):
 * keys that no longer sign but still verify until their `not_after`.
 */
export interface KeysetDocument {
  schema_version: 1;
  active: KeyMaterial | null;
  next: KeyMaterial | null;
  retired?: KeyMaterial[];
}

export const EMPTY_KEYSET: KeysetDocument = {
  schema_version: 1,
  active: null,
  next: null,
  retired: [],
};

/**
 * Tolerated clock difference between replicas when honouring `not_before`: a key provisioned on
 * a replica whose clock runs slightly ahead must not be refused by its peers.
 */
export const NOT_BEFORE_SKEW_MS = 60_000;

/** kids end up in JOSE headers and in `service_account_tokens.signing_kid varchar(64)`. */
export const KID_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;

export type KeyStatus = 'active' | 'next' | 'retired';

/** ISO-8601 with offset, the reference's stored timestamp format. */
export function isoWithOffset(date: Date): string {
  return date.toISOString().replace('Z', '+00:00');
}

function notExpired(key: KeyMaterial, now: Date): boolean {
  return !key.not_after || Date.parse(key.not_after) > now.getTime();
}

function started(key: KeyMaterial, now: Date, skewMs = 0): boolean {
  const notBefore = Date.parse(key.not_before);
  return Number.isNaN(notBefore) || notBefore <= now.getTime() + skewMs;
}

/** The key that signs now: the active key, if it has private material and is inside its validity. */
export function signingKey(doc: KeysetDocument, now = new Date()): KeyMaterial | null {
  const key = doc.active;
  if (!key?.private_key) return null;
  return started(key, now) && notExpired(key, now) ? key : null;
}

/** Whether signatures of `key` are accepted at `now` (`not_before` with skew, `not_after`). */
export function isVerifiable(key: KeyMaterial, now = new Date()): boolean {
  return started(key, now, NOT_BEFORE_SKEW_MS) && notExpired(key, now);
}

/**
 * Keys whose signatures are accepted: the active key and retired keys not yet past `not_after`.
 * `next` is published but not trusted until promoted (reference pin).
 */
export function verificationKeys(doc: KeysetDocument, now = new Date()): KeyMaterial[] {
  const keys = [doc.active, ...(doc.retired ?? [])].filter((k): k is KeyMaterial => Boolean(k));
  return keys.filter((key) => isVerifiable(key, now));
}

/** Keys published in the JWKS: active, next (so caches learn it before it signs), then retired. */
export function publishedKeys(doc: KeysetDocument, now = new Date()): KeyMaterial[] {
  const keys = verificationKeys(doc, now);
  if (doc.next && notExpired(doc.next, now)) keys.splice(doc.active ? 1 : 0, 0, doc.next);
  return keys;
}

export function publicJwks(keys: KeyMaterial[]): { keys: PublicJwk[] } {
  return { keys: keys.map((key) => key.public_jwk) };
}

/** Every key of the document with its role, active first (for `keys list`). */
export function keysWithStatus(doc: KeysetDocument): { status: KeyStatus; key: KeyMaterial }[] {
  return [
    ...(doc.active ? [{ status: 'active' as const, key: doc.active }] : []),
    ...(doc.next ? [{ status: 'next' as const, key: doc.next }] : []),
    ...(doc.retired ?? []).map((key) => ({ status: 'retired' as const, key })),
  ];
}

export function allKids(doc: KeysetDocument): string[] {
  return keysWithStatus(doc).map(({ key }) => key.kid);
}

/** Parses a stored document leniently (unknown fields ignored, missing `retired` allowed). */
export function parseKeyset(raw: unknown): KeysetDocument {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new Error('Keyset document must be a JSON object');
  const doc = raw as Partial<KeysetDocument>;
  return {
    schema_version: 1,
    active: doc.active ?? null,
    next: doc.next ?? null,
    retired: Array.isArray(doc.retired) ? doc.retired : [],
  };
}

export interface RotationResult {
  doc: KeysetDocument;
  activated: KeyMaterial;
  retired: KeyMaterial | null;
  /** Retired keys dropped because their `not_after` had passed. */
  pruned: string[];
}

export interface RotateOptions {
  /**
   * Promote the current `next` when it can sign (the normal case). False when the operator named
   * a kid: `fresh` becomes active and the already published `next` stays next.
   */
  preferNext: boolean;
}

/**
 * Rotation without logging anyone out (decision A4): `next` (or `fresh`) becomes active; the old
 * active key retires, verify-only, until `now + overlapSeconds` (the longest token lifetime);
 * `upcoming` becomes the new `next` when the old one was promoted (or absent). Expired retired
 * keys are pruned on the way.
 */
export function rotate(
  doc: KeysetDocument,
  fresh: KeyMaterial,
  upcoming: KeyMaterial,
  overlapSeconds: number,
  now = new Date(),
  options: RotateOptions = { preferNext: true },
): RotationResult {
  const promoteNext = options.preferNext && Boolean(doc.next?.private_key);
  const activated = promoteNext && doc.next ? doc.next : fresh;
  const promotedAt = isoWithOffset(now);
  const retired = doc.active
    ? {
        ...doc.active,
        private_key: null,
        retired_at: promotedAt,
        not_after: isoWithOffset(new Date(now.getTime() + overlapSeconds * 1000)),
      }
    : null;
  const keptNext = !promoteNext && doc.next?.private_key ? doc.next : null;
  const { doc: pruned, removed } = prune({ ...doc, retired: doc.retired ?? [] }, now);
  return {
    activated,
    retired,
    pruned: removed,
    doc: {
      schema_version: 1,
      active: {
        ...activated,
        // A key promoted early must sign at once; never push not_before into the future.
        not_before:
          Date.parse(activated.not_before) <= now.getTime() ? activated.not_before : promotedAt,
      },
      next: keptNext ?? upcoming,
      retired: [...(retired ? [retired] : []), ...(pruned.retired ?? [])],
    },
  };
}

/** Drops retired keys whose `not_after` has passed; returns the kids removed. */
export function prune(
  doc: KeysetDocument,
  now = new Date(),
): { doc: KeysetDocument; removed: string[] } {
  const keep: KeyMaterial[] = [];
  const removed: string[] = [];
  for (const key of doc.retired ?? []) {
    if (notExpired(key, now)) keep.push(key);
    else removed.push(key.kid);
  }
  return { doc: { ...doc, retired: keep }, removed };
}
