import { Controller, Get, Res, UnauthorizedException } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { PrometheusController } from '@willsoto/nestjs-prometheus';
import type { Request, Response } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { AppConfig } from '../config/app-config';
import { MetricsService } from './metrics.service';

/** `/metrics` served from this app's own registry, optionally behind METRICS_BEARER_TOKEN. */
@ApiExcludeController()
@Controller()
export class MetricsController extends PrometheusController {
  constructor(
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
  ) {
    super();
  }

  /** Written directly: Express would reorder the Content-Type parameters scrapers expect. */
  @Get()
  override async index(@Res() response: Response): Promise<string> {
    this.authorize(response.req);
    const body = await this.metrics.registry.metrics();
    response.writeHead(200, { 'Content-Type': this.metrics.registry.contentType });
    response.end(body);
    return body;
  }

  private authorize(request: Request): void {
    const expected = this.config.METRICS_BEARER_TOKEN;
    if (!expected) return;
    const header = request.headers.authorization ?? '';
    const presented = /^bearer\s+(.+)$/i.exec(header)?.[1]?.trim() ?? '';
    const a = Buffer.from(presented);
    const b = Buffer.from(expected);
    if (a.length !== b.length || !timingSafeEqual(a, b)) {
      throw new UnauthorizedException('Metrics require a bearer token.');
    }
  }
}
