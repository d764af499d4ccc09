import { Body, Controller, Get, HttpCode, Patch, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { isoZ } from '../../platform/time/iso';
import {
  CurrentPrincipal,
  CurrentTenant,
  RequireTenantRoles,
  type Principal,
  type TenantContext,
} from '../auth';
import { BillingPlanResponse } from './dto/billing-plan-response.dto';
import { CancelSubscriptionRequest } from './dto/cancel-subscription-request.dto';
import { StartSubscriptionRequest } from './dto/start-subscription-request.dto';
import { SubscriptionInvoiceResponse } from './dto/subscription-invoice-response.dto';
import { SuccessResponse } from '../../platform/http/success-response';
import { TenantSubscriptionResponse } from './dto/tenant-subscription-response.dto';
import { UpdateSubscriptionRequest } from './dto/update-subscription-request.dto';
import { UsageRecordRequest } from './dto/usage-record-request.dto';
import { UsageSummaryResponse } from './dto/usage-summary-response.dto';
import { InvoiceService } from './invoices/invoice.service';
import { PlanService } from './plans/plan.service';
import { toSubscriptionResponse } from './subscriptions/subscription-view';
import { SubscriptionService } from './subscriptions/subscription.service';
import { UsageService } from './usage/usage.service';

const MANAGERS = ['owner', 'admin'] as const;
const TENANT = { pathParam: 'tenant_id' };

/** `/api/v1/billing/*` REST surface (decision B1). */
@ApiTags('api', 'billing')
@Controller('api/v1/billing')
export class BillingController {
  constructor(
    private readonly plans: PlanService,
    private readonly subscriptions: SubscriptionService,
    private readonly usage: UsageService,
    private readonly invoices: InvoiceService,
  ) {}

  /** `GET /api/v1/billing/plans`: public plan catalog (pricing pages). */
  @Get('plans')
  @ApiOkResponse({ type: [BillingPlanResponse] })
  async listBillingPlans(): Promise<BillingPlanResponse[]> {
    return this.plans.list();
  }

  @Get('tenants/:tenant_id/subscription')
  @RequireTenantRoles('any', TENANT)
  @ApiOkResponse({ type: TenantSubscriptionResponse })
  async getTenantSubscription(
    @CurrentTenant() tenant: TenantContext,
  ): Promise<TenantSubscriptionResponse> {
    return toSubscriptionResponse(await this.subscriptions.get(tenant.tenantId));
  }

  @Post('tenants/:tenant_id/subscription')
  @HttpCode(201)
  @RequireTenantRoles([...MANAGERS], TENANT)
  @ApiCreatedResponse({ type: TenantSubscriptionResponse })
  async startSubscription(
    @CurrentTenant() tenant: TenantContext,
    @CurrentPrincipal() principal: Principal,
    @Body() body: StartSubscriptionRequest,
  ): Promise<TenantSubscriptionResponse> {
    const row = await this.subscriptions.start(
      tenant.tenantId,
      {
        planCode: body.plan_code,
        billingEmail: body.billing_email ?? null,
        autoRenew: body.auto_renew ?? true,
        seatCount: body.seat_count ?? null,
        trialDays: null,
      },
      principal,
    );
    return toSubscriptionResponse(row);
  }

  @Patch('tenants/:tenant_id/subscription')
  @RequireTenantRoles([...MANAGERS], TENANT)
  @ApiOkResponse({ type: TenantSubscriptionResponse })
  async updateSubscription(
    @CurrentTenant() tenant: TenantContext,
    @CurrentPrincipal() principal: Principal,
    @Body() body: UpdateSubscriptionRequest,
  ): Promise<TenantSubscriptionResponse> {
    const row = await this.subscriptions.update(
      tenant.tenantId,
      {
        autoRenew: body.auto_renew,
        billingEmail: body.billing_email,
        seatCount: body.seat_count,
        planCode: body.plan_code,
      },
      principal,
    );
    return toSubscriptionResponse(row);
  }

  @Post('tenants/:tenant_id/subscription/cancel')
  @HttpCode(200)
  @RequireTenantRoles([...MANAGERS], TENANT)
  @ApiOkResponse({ type: TenantSubscriptionResponse })
  async cancelSubscription(
    @CurrentTenant() tenant: TenantContext,
    @CurrentPrincipal() principal: Principal,
    @Body() body: CancelSubscriptionRequest,
  ): Promise<TenantSubscriptionResponse> {
    const row = await this.subscriptions.cancel(
      tenant.tenantId,
      body.cancel_at_period_end ?? true,
      principal,
    );
    return toSubscriptionResponse(row);
  }

  @Post('tenants/:tenant_id/usage')
  @HttpCode(202)
  @RequireTenantRoles([...MANAGERS], TENANT)
  @ApiAcceptedResponse({ type: SuccessResponse })
  async recordUsage(
    @CurrentTenant() tenant: TenantContext,
    @Body() body: UsageRecordRequest,
  ): Promise<SuccessResponse> {
    await this.usage.record(tenant.tenantId, {
      featureKey: body.feature_key,
      quantity: body.quantity,
      idempotencyKey: body.idempotency_key ?? null,
      periodStart: body.period_start ?? null,
      periodEnd: body.period_end ?? null,
    });
    return { success: true, message: 'Usage recorded.', data: null };
  }

  /** Addition: usage totals of the current period. */
  @Get('tenants/:tenant_id/usage')
  @RequireTenantRoles('any', TENANT)
  @ApiOkResponse({ type: UsageSummaryResponse })
  async getUsageSummary(@CurrentTenant() tenant: TenantContext): Promise<UsageSummaryResponse> {
    const summary = await this.usage.summary(tenant.tenantId);
    return {
      period_start: isoZ(summary.periodStart),
      period_end: isoZ(summary.periodEnd),
      features: summary.features.map((feature) => ({
        feature_key: feature.featureKey,
        quantity: feature.quantity,
        records: feature.records,
      })),
      daily: summary.daily.map((day) => ({
        date: day.date,
        feature_key: day.featureKey,
        quantity: day.quantity,
      })),
    };
  }

  /** Addition: invoices mirrored from Stripe. */
  @Get('tenants/:tenant_id/invoices')
  @RequireTenantRoles('any', TENANT)
  @ApiOkResponse({ type: [SubscriptionInvoiceResponse] })
  async listInvoices(
    @CurrentTenant() tenant: TenantContext,
  ): Promise<SubscriptionInvoiceResponse[]> {
    return this.invoices.list(tenant.tenantId);
  }
}
