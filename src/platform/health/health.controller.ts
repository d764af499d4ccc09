import { Controller, Get, Query, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  type HealthCheckResult,
} from '@nestjs/terminus';
import { AppConfig } from '../config/app-config';
import { AppException } from '../http/app-exception';
import { LifecycleService } from '../lifecycle/lifecycle.service';
import { isoNaiveMicros } from '../time/iso';
import { HealthResponse } from './dto/health-response.dto';
import { ReadinessService } from './readiness.service';

/**
 * Probes: the reference's `/health` and `/health/ready` bodies, plus Kubernetes-style `/livez`,
 * `/readyz` (Terminus format) and `/startupz`. No auth; exempt from the host check.
 */
@ApiTags('health')
@Controller()
export class HealthController {
  constructor(
    private readonly config: AppConfig,
    private readonly lifecycle: LifecycleService,
    private readonly readiness: ReadinessService,
    private readonly terminus: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
  ) {}

  @Get('health')
  @ApiOkResponse({ type: HealthResponse })
  healthCheck(): HealthResponse {
    return this.body('healthy');
  }

  @Get('health/ready')
  @ApiOkResponse({ type: HealthResponse })
  async readinessCheck(): Promise<HealthResponse> {
    const report = await this.readiness.report();
    if (!report.ok) {
      throw new AppException(503, this.readiness.legacyFailureMessage(report), {
        code: 'not_ready',
      });
    }
    return this.body('ready');
  }

  /** Process is up and its event loop answers; never checks dependencies. */
  @Get('livez')
  livez(): { status: string } {
    return { status: 'ok' };
  }

  @Get('readyz')
  @HealthCheck()
  async readyz(
    @Query('verbose') verbose?: string,
  ): Promise<HealthCheckResult | { status: string }> {
    const report = await this.readiness.report();
    const indicators = report.checks.map((check) => () => {
      const indicator = this.indicators.check(check.name);
      const data = {
        latency_ms: check.latency_ms,
        ...(check.error_code ? { error_code: check.error_code } : {}),
      };
      return check.status === 'up' ? indicator.up(data) : indicator.down(data);
    });
    try {
      const result = await this.terminus.check(indicators);
      return verbose === undefined ? { status: result.status } : result;
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      throw new AppException(503, 'Service Unavailable', {
        code: 'not_ready',
        details: error.getResponse(),
      });
    }
  }

  @Get('startupz')
  startupz(): { status: string } {
    if (!this.lifecycle.started) {
      throw new AppException(503, 'Service is starting.', { code: 'starting' });
    }
    return { status: 'ok' };
  }

  private body(status: string): HealthResponse {
    return {
      status,
      timestamp: isoNaiveMicros(new Date()),
      version: this.config.APP_VERSION,
      uptime: Math.round((Date.now() - this.lifecycle.processStartedAt) / 10) / 100,
    };
  }
}
