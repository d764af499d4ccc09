import { ApiProperty } from '@nestjs/swagger';

/** A Stripe-hosted page (Checkout or the Customer Portal) for the client to redirect to. */
export class HostedSessionResponse {
  @ApiProperty({ example: 'cs_test_a1b2c3' })
  id: string;

  @ApiProperty({ example: 'https://checkout.stripe.com/c/pay/cs_test_a1b2c3' })
  url: string;
}
