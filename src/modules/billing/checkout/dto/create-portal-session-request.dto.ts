import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { MAX_REDIRECT_URL_LENGTH } from './create-checkout-session-request.dto';

/** `POST .../portal-sessions`: a Stripe Customer Portal session for the tenant's customer. */
export class CreatePortalSessionRequest {
  @ApiProperty({
    example: 'https://app.example.com/settings/billing',
    description: 'Where the Portal sends the customer back; its origin must be allowed.',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_REDIRECT_URL_LENGTH)
  return_url: string;
}
