import { ApiProperty } from '@nestjs/swagger';

export class FeatureUsageResponse {
  @ApiProperty()
  feature_key: string;

  @ApiProperty()
  quantity: number;

  @ApiProperty({ description: 'Ledger rows counted' })
  records: number;
}

/** Usage of the current period (addition: `GET .../usage`). */
export class UsageSummaryResponse {
  @ApiProperty({ format: 'date-time' })
  period_start: string;

  @ApiProperty({ format: 'date-time' })
  period_end: string;

  @ApiProperty({ type: [FeatureUsageResponse] })
  features: FeatureUsageResponse[];
}
