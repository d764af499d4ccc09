import { Injectable } from '@nestjs/common';

/** A readiness check throws (with a short, non-sensitive reason) when the dependency is not usable. */
export type ReadinessCheck = () => Promise<void>;

export interface ReadinessCheckResult {
  name: string;
  status: 'up' | 'down';
  latency_ms: number;
  error_code?: string;
}

export interface ReadinessReport {
  ok: boolean;
  checks: ReadinessCheckResult[];
}

/**
 * Checks that gate readiness. The platform registers Postgres, Redis and the schema version;
 * feature modules add theirs (auth: an active signing key) without the platform knowing them.
 */
@Injectable()
export class ReadinessRegistry {
  private readonly checks = new Map<string, { check: ReadinessCheck; legacyLabel?: string }>();

  /** `legacyLabel` names the dependency in `/health/ready`'s reference message (e.g. "Database"). */
  register(name: string, check: ReadinessCheck, legacyLabel?: string): void {
    this.checks.set(name, { check, legacyLabel });
  }

  entries(): [string, { check: ReadinessCheck; legacyLabel?: string }][] {
    return [...this.checks.entries()];
  }
}
