import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Logger } from 'pino';
import { AppConfig } from '../../platform/config/app-config';
import { ReadinessRegistry } from '../../platform/health/readiness.registry';
import { LoggerFactory } from '../../platform/observability/logger.factory';
import { AuthMetrics } from './auth.metrics';
import {
  BEARER_STRATEGY_LOCAL,
  BEARER_VERIFIER_LOCAL,
  BearerJwtStrategy,
} from './guards/bearer-jwt.strategy';
import { BearerVerifier } from './guards/bearer-verifier.service';
import { KeysetService } from './keys/keyset.service';

/**
 * Boot-time auth wiring: installs this app's bearer verifier, provisions a development keyset
 * when none exists (with a warning), and gates readiness on an active signing key so a
 * production pod without keys never receives traffic.
 */
@Injectable()
export class AuthBootstrap implements OnModuleInit {
  private readonly log: Logger;

  constructor(
    private readonly config: AppConfig,
    private readonly adapterHost: HttpAdapterHost,
    private readonly verifier: BearerVerifier,
    private readonly strategy: BearerJwtStrategy,
    private readonly keyset: KeysetService,
    private readonly readiness: ReadinessRegistry,
    private readonly metrics: AuthMetrics,
    loggers: LoggerFactory,
  ) {
    this.log = loggers.get('auth.keys');
  }

  async onModuleInit(): Promise<void> {
    const express = this.adapterHost.httpAdapter?.getInstance<{
      locals: Record<string, unknown>;
    }>();
    if (express) {
      express.locals[BEARER_VERIFIER_LOCAL] = this.verifier;
      express.locals[BEARER_STRATEGY_LOCAL] = this.strategy;
    }

    await this.ensureSigningKey();
    this.readiness.register('keyset', async () => {
      if (!(await this.keyset.signer())) throw new Error('no_active_key');
    });
    await this.recordKeyAge();
    this.keyset.onChange(() => void this.recordKeyAge());
  }

  /** `active_key_age_seconds` at boot and after every keyset change (alerts on stale keys). */
  private async recordKeyAge(): Promise<void> {
    const signer = await this.keyset.signer().catch(() => null);
    this.metrics.activeKeyAge.set(
      signer ? (Date.now() - Date.parse(signer.material.created_at)) / 1000 : 0,
    );
  }

  private async ensureSigningKey(): Promise<void> {
    try {
      if (await this.keyset.signer()) return;
      if (this.config.isProduction) {
        this.log.error(
          { backend: this.keyset.backend },
          'No active signing key: run `keys rotate` (readiness stays 503 until a key exists)',
        );
        return;
      }
      if (await this.keyset.provisionIfEmpty()) {
        await this.keyset.reload();
        this.log.warn(
          { backend: this.keyset.backend, path: this.config.AUTH_KEY_STORAGE_PATH },
          'Provisioned a development signing keyset (active + next); use `keys rotate` in production',
        );
      }
    } catch (error) {
      this.log.error(
        { err: error },
        'Keyset unavailable at boot; readiness stays 503 until it loads',
      );
    }
  }
}
