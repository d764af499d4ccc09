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

function isWithinValidity(key: KeyMaterial, now: Date): boolean {
  if (key.not_after && Date.parse(key.not_after) <= now.getTime()) return false;
  return true;
}

/** The key that signs now: the active key, if it has private material and is inside its validity. */
export function signingKey(doc: KeysetDocument, now = new Date()): KeyMaterial | null {
  const key = doc.active;
  if (!key?.private_key) return null;
  if (Date.parse(key.not_before) > now.getTime()) return null;
  return isWithinValidity(key, now) ? key : null;
}

/**
 * Keys whose signatures are accepted: the active key and retired keys not yet past `not_after`.
 * `next` is published but not trusted until promoted (reference pin, spec auth 2.6).
 */
export function verificationKeys(doc: KeysetDocument, now = new Date()): KeyMaterial[] {
  const keys = [doc.active, ...(doc.retired ?? [])].filter((k): k is KeyMaterial => Boolean(k));
  return keys.filter((key) => isWithinValidity(key, now));
}

/** Keys published in the JWKS: everything that verifies, plus `next` so caches warm up early. */
export function publishedKeys(doc: KeysetDocument, now = new Date()): KeyMaterial[] {
  const keys = verificationKeys(doc, now);
  if (doc.next && isWithinValidity(doc.next, now)) keys.splice(1, 0, doc.next);
  return keys;
}

export function publicJwks(keys: KeyMaterial[]): { keys: PublicJwk[] } {
  return { keys: keys.map((key) => key.public_jwk) };
}

/** Parses a stored document leniently (unknown fields ignored, missing `retired` allowed). */
export function parseKeyset(raw: unknown): KeysetDocument {
  if (raw === null || typeof raw !== 'object')
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
}

/**
 * Rotation without logging anyone out (decision A4): `next` (or `fresh` when there is no next or
 * a specific kid was asked for) becomes active; the old active key retires, verify-only, until
 * `now + overlapSeconds` (the longest token lifetime); `upcoming` becomes the new `next`.
 */
export function rotate(
  doc: KeysetDocument,
  fresh: KeyMaterial,
  upcoming: KeyMaterial,
  overlapSeconds: number,
  now = new Date(),
  options: { preferNext: boolean } = { preferNext: true },
): RotationResult {
  const activated = options.preferNext && doc.next?.private_key ? doc.next : fresh;
  const promotedAt = now.toISOString().replace('Z', '+00:00');
  const retired = doc.active
    ? {
        ...doc.active,
        private_key: null,
        retired_at: promotedAt,
        not_after: new Date(now.getTime() + overlapSeconds * 1000)
          .toISOString()
          .replace('Z', '+00:00'),
      }
    : null;
  return {
    activated,
    retired,
    doc: {
      schema_version: 1,
      active: {
        ...activated,
        not_before: activated.not_before <= promotedAt ? activated.not_before : promotedAt,
      },
      next: upcoming,
      retired: [...(retired ? [retired] : []), ...(doc.retired ?? [])],
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
    if (isWithinValidity(key, now)) keep.push(key);
    else removed.push(key.kid);
  }
  return { doc: { ...doc, retired: keep }, removed };
}
