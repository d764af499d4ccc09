import { ApiProperty } from '@nestjs/swagger';

export class FeatureUsageResponse {
  @ApiProperty()
  feature_key: string;

  @ApiProperty()
  quantity: number;

  @ApiProperty({ description: 'Ledger rows counted' })
  records: number;
}

/** One day's quantity of one feature, from both usage ledgers. */
export class DailyUsageResponse {
  @ApiProperty({ example: '2026-12-07', description: 'UTC day' })
  date: string;

  @ApiProperty()
  feature_key: string;

  @ApiProperty()
  quantity: number;
}

/**
 * Usage of the current period (addition: `GET .../usage`): reported usage and metered usage
 * (chat tokens, feature `chat_tokens` by default) together.
 */
export class UsageSummaryResponse {
  @ApiProperty({ format: 'date-time' })
  period_start: string;

  @ApiProperty({ format: 'date-time' })
  period_end: string;

  @ApiProperty({ type: [FeatureUsageResponse] })
  features: FeatureUsageResponse[];

  @ApiProperty({ type: [DailyUsageResponse], description: 'Per UTC day and feature, oldest first' })
  daily: DailyUsageResponse[];
}
