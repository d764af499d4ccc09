import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../../platform/config/app-config';
import { productionProblems, secretWarnings } from '../../../platform/config/secret-guard';
import { ReadinessService } from '../../../platform/health/readiness.service';

export interface DoctorCheck {
  name: string;
  status: 'ok' | 'fail' | 'skipped';
  latency_ms: number;
  detail: string;
}

const VAULT_UP_STATUSES = new Set([200, 429, 472, 473]); // active, standby, DR/perf standby

/**
 * Everything `/readyz` checks (Postgres, Redis, schema version, active signing key), plus what
 * only an operator needs to see: Vault reachability and token when configured, Stripe settings
 * when billing is on, and the production safety rules.
 */
@Injectable()
export class DoctorChecks {
  constructor(
    private readonly config: AppConfig,
    private readonly readiness: ReadinessService,
  ) {}

  async run(): Promise<DoctorCheck[]> {
    const report = await this.readiness.report();
    const readiness: DoctorCheck[] = report.checks.map((check) => ({
      name: check.name,
      status: check.status === 'up' ? 'ok' : 'fail',
      latency_ms: check.latency_ms,
      detail: check.error_code ?? '',
    }));
    return [...readiness, await this.vault(), this.stripe(), this.configuration()];
  }

  private async vault(): Promise<DoctorCheck> {
    const { VAULT_ADDR: addr, VAULT_TOKEN: token } = this.config;
    const needed =
      this.config.VAULT_VERIFY_ENABLED || this.config.AUTH_KEY_STORAGE_BACKEND === 'secret-manager';
    if (!addr) {
      return needed
        ? this.result('vault', 'fail', 0, 'VAULT_ADDR is not set')
        : this.result('vault', 'skipped', 0, 'not configured');
    }
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const timeout = Math.round(this.config.VAULT_TIMEOUT_SECONDS * 1000);
    const base = addr.replace(/\/+$/, '');
    try {
      const health = await fetch(`${base}/v1/sys/health`, { signal: AbortSignal.timeout(timeout) });
      if (!VAULT_UP_STATUSES.has(health.status)) {
        return this.result('vault', 'fail', elapsed(), `sys/health answered ${health.status}`);
      }
      if (!token) return this.result('vault', needed ? 'fail' : 'ok', elapsed(), 'no VAULT_TOKEN');
      const self = await fetch(`${base}/v1/auth/token/lookup-self`, {
        headers: { 'X-Vault-Token': token },
        signal: AbortSignal.timeout(timeout),
      });
      if (!self.ok) {
        return this.result('vault', 'fail', elapsed(), `token lookup answered ${self.status}`);
      }
      return this.result('vault', 'ok', elapsed(), 'reachable, token valid');
    } catch (error) {
      const name = (error as Error).name;
      const reason = name === 'TimeoutError' ? 'timeout' : 'unreachable';
      return this.result('vault', 'fail', elapsed(), reason);
    }
  }

  /** loadConfig already refuses billing without keys; this row makes that visible. */
  private stripe(): DoctorCheck {
    if (!this.config.ENABLE_BILLING) return this.result('stripe', 'skipped', 0, 'billing off');
    const missing = [
      !this.config.STRIPE_SECRET_KEY && 'STRIPE_SECRET_KEY',
      !this.config.STRIPE_WEBHOOK_SECRET && 'STRIPE_WEBHOOK_SECRET',
      Object.keys(this.config.STRIPE_PRODUCT_PRICE_MAP).length === 0 && 'STRIPE_PRODUCT_PRICE_MAP',
    ].filter((name): name is string => Boolean(name));
    return missing.length > 0
      ? this.result('stripe', 'fail', 0, `missing ${missing.join(', ')}`)
      : this.result('stripe', 'ok', 0, 'configured');
  }

  /** Production: every unsafe setting fails; elsewhere starter secrets are only reported. */
  private configuration(): DoctorCheck {
    if (this.config.isProduction) {
      const problems = productionProblems(this.config);
      return problems.length > 0
        ? this.result('config', 'fail', 0, problems.join('; '))
        : this.result('config', 'ok', 0, 'production-safe');
    }
    const warnings = secretWarnings(this.config);
    return this.result(
      'config',
      'ok',
      0,
      warnings.length > 0 ? `development; ${warnings.length} starter value(s)` : 'development',
    );
  }

  private result(
    name: string,
    status: DoctorCheck['status'],
    latencyMs: number,
    detail: string,
  ): DoctorCheck {
    return { name, status, latency_ms: latencyMs, detail };
  }
}
