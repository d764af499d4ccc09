import { ApiProperty } from '@nestjs/swagger';
import { isoZ } from '../../../platform/time/iso';
import type { IssuedSession } from '../sessions/session-issuer.service';

/** Reference `UserSessionResponse`: the token object of login and refresh. */
export class UserSessionResponse {
  @ApiProperty()
  access_token: string;

  @ApiProperty()
  refresh_token: string;

  @ApiProperty({ default: 'bearer' })
  token_type: string;

  @ApiProperty({ format: 'date-time' })
  expires_at: string;

  @ApiProperty({ format: 'date-time' })
  refresh_expires_at: string;

  @ApiProperty()
  kid: string;

  @ApiProperty()
  refresh_kid: string;

  @ApiProperty({ type: [String] })
  scopes: string[];

  @ApiProperty()
  tenant_id: string;

  @ApiProperty()
  user_id: string;

  @ApiProperty()
  email_verified: boolean;

  @ApiProperty({ format: 'uuid' })
  session_id: string;
}

/** Reference `UserRegisterResponse`: the token object plus the new tenant's slug. */
export class UserRegisterResponse extends UserSessionResponse {
  @ApiProperty()
  tenant_slug: string;
}

export function toUserSessionResponse(issued: IssuedSession): UserSessionResponse {
  return {
    access_token: issued.access.token,
    refresh_token: issued.refresh.token,
    token_type: 'bearer',
    expires_at: isoZ(issued.access.expiresAt),
    refresh_expires_at: isoZ(issued.refresh.expiresAt),
    kid: issued.access.kid,
    refresh_kid: issued.refresh.kid,
    scopes: issued.scopes,
    tenant_id: issued.tenantId,
    user_id: issued.userId,
    email_verified: issued.emailVerified,
    session_id: issued.sessionId,
  };
}
