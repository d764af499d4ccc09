import { ApiProperty } from '@nestjs/swagger';

export class EntitlementLimitsResponse {
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Chat tokens per period; null: unlimited',
  })
  chat_tokens: number | null;

  @ApiProperty({ type: Number, nullable: true, description: 'Seats; null: not limited' })
  seats: number | null;
}

export class EntitlementConsumptionResponse {
  @ApiProperty({ description: 'Chat tokens used in the period (input + output)' })
  chat_tokens: number;
}

export class EntitlementPeriodResponse {
  @ApiProperty({ format: 'date-time' })
  start: string;

  @ApiProperty({ format: 'date-time' })
  end: string;
}

/** `GET /api/v1/billing/tenants/{tenant_id}/entitlements` (addition). */
export class EntitlementsResponse {
  @ApiProperty({ format: 'uuid' })
  tenant_id: string;

  @ApiProperty({ enum: ['plan', 'free_tier'] })
  source: 'plan' | 'free_tier';

  @ApiProperty({ type: String, nullable: true })
  plan_code: string | null;

  @ApiProperty({ type: String, nullable: true })
  subscription_status: string | null;

  @ApiProperty({ type: String, nullable: true, format: 'date-time' })
  grace_ends_at: string | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'boolean' },
    example: { enable_web_search: true },
  })
  features: Record<string, boolean>;

  @ApiProperty({ type: EntitlementLimitsResponse })
  limits: EntitlementLimitsResponse;

  @ApiProperty({ type: EntitlementConsumptionResponse })
  consumption: EntitlementConsumptionResponse;

  @ApiProperty({ type: EntitlementPeriodResponse })
  period: EntitlementPeriodResponse;
}
