import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { MEMBER_ROLES, type MemberRole } from '../member-roles';

/** One member of a tenant. */
export class MemberResponse {
  @ApiProperty({ format: 'uuid' })
  user_id: string;

  @ApiProperty({ format: 'email' })
  email: string;

  @ApiProperty({ nullable: true, type: String })
  display_name: string | null;

  @ApiProperty({ enum: MEMBER_ROLES })
  role: MemberRole;

  @ApiProperty({ enum: ['pending', 'active', 'disabled', 'locked'] })
  status: string;

  @ApiProperty({ format: 'date-time' })
  joined_at: string;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  last_login_at: string | null;
}

/** `PATCH /api/v1/tenants/{tenant_id}/members/{user_id}`. */
export class UpdateMemberRequest {
  @ApiProperty({ enum: MEMBER_ROLES })
  @IsIn(MEMBER_ROLES)
  role: MemberRole;
}

/** One of the caller's tenants (`GET /api/v1/auth/tenants`). */
export class TenantMembershipResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  name: string;

  @ApiProperty()
  slug: string;

  @ApiProperty({ enum: MEMBER_ROLES })
  role: MemberRole;
}
