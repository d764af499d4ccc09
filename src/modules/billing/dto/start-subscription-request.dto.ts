import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsEmail, IsOptional, MaxLength } from 'class-validator';
import { PlanCodeField, SeatCountField } from './subscription-fields';

/** Reference `StartSubscriptionRequest` (lengths capped to the columns). */
export class StartSubscriptionRequest {
  @PlanCodeField({ required: true, example: 'starter' })
  plan_code: string;

  @ApiPropertyOptional({ type: String, format: 'email', nullable: true })
  @IsOptional()
  @IsEmail()
  @MaxLength(256)
  billing_email?: string | null;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  auto_renew?: boolean;

  @SeatCountField()
  seat_count?: number | null;
}
