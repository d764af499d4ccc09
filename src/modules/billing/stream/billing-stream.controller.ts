import { Controller, Get, Headers, Query, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import {
  CurrentPrincipal,
  CurrentTenant,
  RequireTenantRoles,
  type Principal,
  type TenantContext,
} from '../../auth';
import { BillingStreamService } from './billing-stream.service';

/** `GET /api/v1/billing/stream` (SSE). */
@ApiTags('api', 'billing')
@Controller('api/v1/billing')
export class BillingStreamController {
  constructor(private readonly streams: BillingStreamService) {}

  @Get('stream')
  @RequireTenantRoles('any')
  @ApiProduces('text/event-stream')
  @ApiQuery({ name: 'last_event_id', required: false, description: 'Resume after this event_id' })
  @ApiOkResponse({ description: '`data: <billing event JSON>` frames and `: ping` comments' })
  async billingEventStream(
    @CurrentTenant() tenant: TenantContext,
    @CurrentPrincipal() principal: Principal,
    @Headers('last-event-id') lastEventIdHeader: string | undefined,
    @Query('last_event_id') lastEventIdQuery: unknown,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const resumeAfter = BillingStreamService.resumePoint(lastEventIdHeader, lastEventIdQuery);
    await this.streams.serve(
      { tenantId: tenant.tenantId, userId: principal.userId ?? undefined },
      resumeAfter,
      request,
      response,
    );
  }
}
