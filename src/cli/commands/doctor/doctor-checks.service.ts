import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { KeysetService } from '../../../modules/auth';
import { AppConfig } from '../../../platform/config/app-config';
import { maskUrlCredentials } from '../../../platform/config/masking';
import { productionProblems, secretWarnings } from '../../../platform/config/secret-guard';
import { embeddedSwitches } from '../../../platform/config/startup-report';
import {
  OWNER_LOCK_FILE,
  type EmbeddedOwner,
} from '../../../platform/database/embedded-owner-lock';
import { migrationStatus } from '../../../platform/database/migrator';
import { ReadinessService } from '../../../platform/health/readiness.service';

export interface DoctorCheck {
  name: string;
  status: 'ok' | 'fail' | 'skipped';
  latency_ms: number;
  detail: string;
}

/**
 * One part of the stack as the server resolves it from the config: an embedded development
 * stand-in (PGlite, ioredis-mock, offline model, logged mail) or the real service, and what
 * exactly it uses (credentials masked). `switch` names the setting that swaps in the real one.
 */
export interface DoctorPart {
  name: 'database' | 'redis' | 'model' | 'mail' | 'keys' | 'billing';
  mode: string;
  embedded: boolean;
  uses: string;
  switch?: string;
}

/** What the agents module talks to when OPENAI_BASE_URL is unset (the OpenAI SDK default). */
const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';

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
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly keyset: KeysetService,
  ) {}

  /**
   * Which parts are embedded and what each one uses, resolved exactly as the server does
   * (`usesEmbeddedDatabase`, `usesEmbeddedRedis`, ... via `embeddedSwitches`).
   */
  parts(): DoctorPart[] {
    const config = this.config;
    const switches = new Map(embeddedSwitches(config).map((entry) => [entry.part, entry.setting]));
    const embedded = (
      name: DoctorPart['name'],
      part: string,
      mode: string,
      uses: string,
    ): DoctorPart => ({
      name,
      mode,
      embedded: true,
      uses,
      switch: switches.get(part),
    });
    const real = (name: DoctorPart['name'], mode: string, uses: string): DoctorPart => ({
      name,
      mode,
      embedded: false,
      uses,
    });
    const parts: DoctorPart[] = [
      switches.has('Postgres')
        ? embedded('database', 'Postgres', 'embedded', this.embeddedDatabase())
        : real('database', 'postgres', maskUrlCredentials(config.DATABASE_URL ?? '')),
      switches.has('Redis')
        ? embedded(
            'redis',
            'Redis',
            'embedded',
            "in-process ioredis-mock, private to each process (not the server's)",
          )
        : real('redis', 'redis', maskUrlCredentials(config.REDIS_URL ?? '')),
      switches.has('model')
        ? embedded('model', 'model', 'offline', 'offline deterministic model')
        : real(
            'model',
            'openai',
            `${maskUrlCredentials(config.OPENAI_BASE_URL ?? OPENAI_DEFAULT_BASE_URL)} ` +
              `(${config.OPENAI_API_FLAVOR})`,
          ),
      switches.has('email')
        ? embedded('mail', 'email', 'logged', 'logged, not sent')
        : real('mail', 'smtp', maskUrlCredentials(config.SMTP_URL ?? '')),
      config.AUTH_KEY_STORAGE_BACKEND === 'file'
        ? real('keys', 'file', resolve(config.AUTH_KEY_STORAGE_PATH))
        : real(
            'keys',
            config.AUTH_KEY_STORAGE_BACKEND,
            `${config.AUTH_KEY_SECRET_NAME ?? '<AUTH_KEY_SECRET_NAME unset>'} at ` +
              `${config.VAULT_ADDR ?? '<VAULT_ADDR unset>'}`,
          ),
      real('billing', config.ENABLE_BILLING ? 'on' : 'off', config.ENABLE_BILLING ? 'Stripe' : '-'),
    ];
    return parts;
  }

  async run(): Promise<DoctorCheck[]> {
    const report = await this.readiness.report();
    const readiness: DoctorCheck[] = [];
    for (const check of report.checks) {
      const ok = check.status === 'up';
      readiness.push({
        name: check.name,
        status: ok ? 'ok' : 'fail',
        latency_ms: check.latency_ms,
        detail: check.error_code ?? (ok ? await this.okDetail(check.name) : ''),
      });
    }
    return [...readiness, await this.vault(), this.stripe(), this.configuration()];
  }

  /** What a passing readiness check established, for the operator. */
  private async okDetail(name: string): Promise<string> {
    try {
      if (name === 'database') return 'select 1';
      if (name === 'redis') return 'PING';
      if (name === 'migrations') {
        const status = await migrationStatus(this.dataSource);
        return `${status.applied.length} applied, ${status.pending.length} pending`;
      }
      if (name === 'keyset') {
        const signer = await this.keyset.signer();
        return signer ? `readable, active key ${signer.material.kid}` : '';
      }
    } catch {
      // The check itself passed; a detail that cannot be read is left out.
    }
    return '';
  }

  /**
   * The embedded data directory, and who serves it: this command opened it itself (no server
   * running), or it is connected to the running server that owns the directory over the wire.
   */
  private embeddedDatabase(): string {
    const dir = this.config.EMBEDDED_DATABASE_DIR;
    if (dir.startsWith('memory://')) return `PGlite in memory (${dir}), private to this process`;
    const location = resolve(dir);
    const options = this.dataSource.options as { driver?: unknown; host?: string; port?: number };
    if (options.driver) return `PGlite in ${location} (no server running: this command opened it)`;
    if (options.host !== undefined) {
      const owner = this.owner(location);
      const where = options.host.startsWith('/')
        ? `socket ${join(options.host, `.s.PGSQL.${options.port}`)}`
        : `${options.host}:${options.port}`;
      const pid = owner ? ` (pid ${owner.pid})` : '';
      return `PGlite in ${location}, served by the running server${pid} on ${where}`;
    }
    return `PGlite in ${location}`;
  }

  private owner(location: string): EmbeddedOwner | undefined {
    try {
      return JSON.parse(readFileSync(join(location, OWNER_LOCK_FILE), 'utf8')) as EmbeddedOwner;
    } catch {
      return undefined;
    }
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
