import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { UuidParamPipe } from '../../../platform/http';
import { CurrentTenant, RequireScopes, RequireTenantRoles } from '../decorators/auth.decorators';
import type { TenantContext } from '../tenancy/tenant-context';
import { AuditEventsService } from './audit-events.service';
import { AuditEventResponse } from './dto/audit-event.dto';
import { ListAuditEventsQuery } from './dto/list-audit-events-query.dto';

/** The tenant's audit log (owners and admins). Another tenant's log answers 404. */
@ApiTags('api', 'audit')
@Controller('api/v1/tenants/:tenant_id/audit-events')
export class AuditEventsController {
  constructor(private readonly audit: AuditEventsService) {}

  @Get()
  @RequireScopes('audit:read')
  @RequireTenantRoles(['owner', 'admin'], { pathParam: 'tenant_id', mismatch: 'not_found' })
  @ApiOkResponse({ type: [AuditEventResponse], description: 'Next page cursor in X-Next-Cursor' })
  async listAuditEvents(
    @Param('tenant_id', UuidParamPipe) _tenantId: string,
    @CurrentTenant() tenant: TenantContext,
    @Query() query: ListAuditEventsQuery,
    @Res({ passthrough: true }) response: Response,
  ): Promise<AuditEventResponse[]> {
    const page = await this.audit.list(tenant, query);
    if (page.nextCursor) response.setHeader('X-Next-Cursor', page.nextCursor);
    return page.items;
  }
}
