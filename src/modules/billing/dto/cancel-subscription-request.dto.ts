import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional } from 'class-validator';

/** Reference `CancelSubscriptionRequest`; a JSON body (at least `{}`) is required. */
export class CancelSubscriptionRequest {
  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  cancel_at_period_end?: boolean;
}
