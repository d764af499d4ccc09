import { ApiProperty } from '@nestjs/swagger';

/** Response of service-account issuance (reference schema name). */
export class ServiceAccountTokenResponse {
  @ApiProperty({ description: 'Signed JWT (token_use refresh); exchange it for access tokens' })
  refresh_token: string;

  @ApiProperty({ description: 'ISO-8601 (+00:00)' })
  expires_at: string;

  @ApiProperty({ description: 'ISO-8601 (+00:00)' })
  issued_at: string;

  @ApiProperty({ type: [String] })
  scopes: string[];

  @ApiProperty({ type: String, nullable: true })
  tenant_id: string | null;

  @ApiProperty()
  kid: string;

  @ApiProperty()
  account: string;

  @ApiProperty({ default: 'refresh' })
  token_use: string;

  @ApiProperty({ type: String, nullable: true, description: 'Always null for service accounts' })
  session_id: string | null;
}
