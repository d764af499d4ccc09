/**
 * Accepts the reference's SQLAlchemy URL forms (`postgresql+asyncpg://...`) by dropping the
 * `+driver` suffix, so existing env files keep working.
 */
export function normalizeDatabaseUrl(url: string): string {
  return url.replace(/^(postgres(?:ql)?)\+[a-z0-9_]+:\/\//i, '$1://');
}
