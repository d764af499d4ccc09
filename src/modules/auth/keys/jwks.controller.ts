import { Controller, Get, Headers, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { AuthMetrics } from '../auth.metrics';
import { JwksService } from './jwks.service';

/** `GET /.well-known/jwks.json`: public keys with ETag/Last-Modified; exact If-None-Match gives 304. */
@ApiExcludeController()
@Controller('.well-known')
export class JwksController {
  constructor(
    private readonly jwks: JwksService,
    private readonly metrics: AuthMetrics,
  ) {}

  @Get('jwks.json')
  async jwksDocument(
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res() response: Response,
  ): Promise<void> {
    const current = await this.jwks.current();
    this.metrics.jwksRequests.inc();
    response.setHeader('Cache-Control', current.cacheControl);
    response.setHeader('ETag', current.etag);
    response.setHeader('Last-Modified', current.lastModified);
    if (ifNoneMatch === current.etag) {
      this.metrics.jwksNotModified.inc();
      response.status(304).end();
      return;
    }
    response.status(200).json(current.body);
  }
}
