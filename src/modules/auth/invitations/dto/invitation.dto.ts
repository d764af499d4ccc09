import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { PageQuery, Trim } from '../../../../platform/http';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../password-policy';
import { UserSessionResponse } from '../../dto/user-session-response.dto';
import { MEMBER_ROLES, type MemberRole } from '../../members/member-roles';

/** `POST /api/v1/tenants/{tenant_id}/invitations`. */
export class CreateInvitationRequest {
  @ApiProperty({ format: 'email', maxLength: 320 })
  @Trim()
  @IsEmail()
  @MaxLength(320)
  email: string;

  @ApiProperty({ enum: MEMBER_ROLES })
  @IsIn(MEMBER_ROLES)
  role: MemberRole;
}

/** A pending invitation (the token is never shown: it travels only in the email). */
export class InvitationResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  tenant_id: string;

  @ApiProperty({ format: 'email' })
  email: string;

  @ApiProperty({ enum: MEMBER_ROLES })
  role: MemberRole;

  @ApiProperty({ enum: ['pending', 'accepted', 'revoked', 'expired'] })
  status: string;

  @ApiProperty({ format: 'uuid', nullable: true, type: String })
  invited_by_user_id: string | null;

  @ApiProperty({ format: 'date-time' })
  created_at: string;

  @ApiProperty({ format: 'date-time' })
  expires_at: string;
}

/** Page size and the opaque cursor from `X-Next-Cursor`, as the member list takes them. */
export class ListInvitationsQuery extends PageQuery {}

/**
 * `POST /api/v1/auth/invitations/accept`. Signed in (bearer token of the invited email): only the
 * token. New to the service: the token and a password (the policy applies, with the invited email
 * as hint), optionally a display name.
 */
export class AcceptInvitationRequest {
  @ApiProperty({ maxLength: 256 })
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  token: string;

  @ApiPropertyOptional({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH })
  @IsOptional()
  @IsString()
  @MinLength(PASSWORD_MIN_LENGTH)
  @MaxLength(PASSWORD_MAX_LENGTH)
  password?: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 128 })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  display_name?: string | null;
}

/** The membership the invitation created and, for a new account, its first session. */
export class InvitationAcceptedResponse {
  @ApiProperty({ format: 'uuid' })
  tenant_id: string;

  @ApiProperty({ format: 'uuid' })
  user_id: string;

  @ApiProperty({ enum: MEMBER_ROLES })
  role: MemberRole;

  @ApiProperty({ description: 'Whether accepting created the account' })
  account_created: boolean;

  @ApiProperty({ type: UserSessionResponse, nullable: true })
  session: UserSessionResponse | null;
}
