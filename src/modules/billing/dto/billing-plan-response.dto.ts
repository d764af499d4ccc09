import { ApiProperty } from '@nestjs/swagger';

/** Reference `PlanFeatureResponse`. */
export class PlanFeatureResponse {
  @ApiProperty()
  key: string;

  @ApiProperty()
  display_name: string;

  @ApiProperty({ type: String, nullable: true })
  description: string | null;

  @ApiProperty({ type: Number, nullable: true })
  hard_limit: number | null;

  @ApiProperty({ type: Number, nullable: true })
  soft_limit: number | null;

  @ApiProperty()
  is_metered: boolean;
}

/** Reference `BillingPlanResponse` (key order as the reference). */
export class BillingPlanResponse {
  @ApiProperty({ example: 'starter' })
  code: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ example: 'monthly' })
  interval: string;

  @ApiProperty()
  interval_count: number;

  @ApiProperty()
  price_cents: number;

  @ApiProperty({ example: 'USD' })
  currency: string;

  @ApiProperty({ type: Number, nullable: true })
  trial_days: number | null;

  @ApiProperty({ type: Number, nullable: true })
  seat_included: number | null;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'boolean' } })
  feature_toggles: Record<string, boolean>;

  @ApiProperty()
  is_active: boolean;

  @ApiProperty({ type: [PlanFeatureResponse] })
  features: PlanFeatureResponse[];
}
