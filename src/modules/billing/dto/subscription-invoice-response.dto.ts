import { ApiProperty } from '@nestjs/swagger';

/** An invoice mirrored from Stripe (addition: `GET .../invoices`). */
export class SubscriptionInvoiceResponse {
  @ApiProperty({ type: String, nullable: true })
  invoice_id: string | null;

  @ApiProperty()
  status: string;

  @ApiProperty()
  amount_cents: number;

  @ApiProperty({ example: 'USD' })
  currency: string;

  @ApiProperty({ format: 'date-time' })
  period_start: string;

  @ApiProperty({ format: 'date-time' })
  period_end: string;

  @ApiProperty({ type: String, nullable: true })
  hosted_invoice_url: string | null;
}
