import { ApiProperty } from '@nestjs/swagger';

/** Reference `TenantSubscriptionResponse`; processor ids are not exposed. */
export class TenantSubscriptionResponse {
  @ApiProperty()
  tenant_id: string;

  @ApiProperty()
  plan_code: string;

  @ApiProperty({ description: 'Stripe status (active, trialing, past_due, canceled, ...)' })
  status: string;

  @ApiProperty()
  auto_renew: boolean;

  @ApiProperty({ type: String, nullable: true })
  billing_email: string | null;

  @ApiProperty({ format: 'date-time' })
  starts_at: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  current_period_start: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  current_period_end: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  trial_ends_at: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  cancel_at: string | null;

  @ApiProperty({ type: Number, nullable: true })
  seat_count: number | null;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } })
  metadata: Record<string, string>;
}
