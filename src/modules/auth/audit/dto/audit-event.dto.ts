import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** One entry of `GET /api/v1/tenants/{tenant_id}/audit-events`. */
export class AuditEventResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'member.role_changed' })
  action: string;

  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String })
  actor_user_id: string | null;

  @ApiPropertyOptional({ nullable: true, type: String, description: 'Service account slug' })
  actor_account: string | null;

  @ApiPropertyOptional({ nullable: true, type: String, example: 'user' })
  target_type: string | null;

  @ApiPropertyOptional({ nullable: true, type: String })
  target_id: string | null;

  @ApiPropertyOptional({ nullable: true, type: String })
  request_id: string | null;

  @ApiProperty({ type: 'object', additionalProperties: true })
  details: Record<string, unknown>;

  @ApiProperty({ format: 'date-time' })
  occurred_at: string;
}
