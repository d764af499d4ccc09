import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';

/** Body of `POST /api/v1/auth/service-accounts/token`. */
export class ServiceAccountTokenExchangeRequest {
  @ApiProperty({ description: 'A service-account refresh token from /service-accounts/issue' })
  @IsString()
  @MinLength(1)
  @MaxLength(8192)
  refresh_token: string;
}

/** A short-lived access token for a service account (our addition; decision A7). */
export class ServiceAccountAccessTokenResponse {
  @ApiProperty({ description: 'JWT with sub service-account:<account>, token_use access' })
  access_token: string;

  @ApiProperty({ default: 'bearer' })
  token_type: string;

  @ApiProperty({ description: 'Seconds until expiry' })
  expires_in: number;

  @ApiProperty({ description: 'ISO-8601 (+00:00)' })
  expires_at: string;

  @ApiProperty({ description: 'Space-delimited scopes' })
  scope: string;

  @ApiProperty({ type: String, nullable: true })
  tenant_id: string | null;

  @ApiProperty()
  account: string;

  @ApiProperty()
  kid: string;
}
