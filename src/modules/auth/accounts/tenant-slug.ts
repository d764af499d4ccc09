import { randomBytes } from 'node:crypto';

const BASE_MAX = 60;
const SUFFIXED_BASE_MAX = 55;
export const SLUG_SUFFIX_ATTEMPTS = 10;

/**
 * The tenant slug of a name: lower-cased, each run outside `[a-z0-9]` turned into `-`,
 * leading/trailing `-` stripped, cut to 60; `tenant` when nothing is left.
 */
export function slugBase(tenantName: string): string {
  const slug = tenantName
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, BASE_MAX);
  return slug || 'tenant';
}

/** A retry candidate: `<base[:55]>-<4 random hex>`. */
export function suffixedSlug(base: string, suffix = randomBytes(2).toString('hex')): string {
  return `${base.slice(0, SUFFIXED_BASE_MAX)}-${suffix}`;
}
