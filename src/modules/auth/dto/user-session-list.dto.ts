import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { ToBool, ToInt } from '../../../platform/http';
import { isoZ, isoZOrNull } from '../../../platform/time/iso';
import type { SessionRow } from '../sessions/user-session.repository';

/** Query of `GET /api/v1/auth/sessions`. */
export class ListUserSessionsQuery {
  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @ToBool()
  @IsBoolean()
  include_revoked?: boolean;

  @ApiPropertyOptional({ default: 20, minimum: 1, maximum: 100 })
  @IsOptional()
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  @ApiPropertyOptional({ default: 0, minimum: 0 })
  @IsOptional()
  @ToInt()
  @IsInt()
  @Min(0)
  offset?: number;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  tenant_id?: string;
}

/** Reference `SessionClientInfo`. */
export class SessionClientInfo {
  @ApiProperty({ type: String, nullable: true })
  platform: string | null;

  @ApiProperty({ type: String, nullable: true })
  browser: string | null;

  @ApiProperty({ type: String, nullable: true })
  device: string | null;

  @ApiProperty({ type: String, nullable: true })
  user_agent: string | null;
}

/** Reference `SessionLocationInfo`. */
export class SessionLocationInfo {
  @ApiProperty({ type: String, nullable: true })
  city: string | null;

  @ApiProperty({ type: String, nullable: true })
  region: string | null;

  @ApiProperty({ type: String, nullable: true })
  country: string | null;
}

/** Reference `UserSessionItem`. */
export class UserSessionItem {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  tenant_id: string;

  @ApiProperty({ format: 'date-time' })
  created_at: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  last_seen_at: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  revoked_at: string | null;

  @ApiProperty({ type: String, nullable: true })
  ip_address_masked: string | null;

  @ApiProperty({ type: String, nullable: true })
  fingerprint: string | null;

  @ApiProperty({ type: SessionClientInfo })
  client: SessionClientInfo;

  @ApiProperty({ type: SessionLocationInfo, nullable: true })
  location: SessionLocationInfo | null;

  @ApiProperty()
  current: boolean;
}

/** Reference `UserSessionListResponse` (no envelope). */
export class UserSessionListResponse {
  @ApiProperty({ type: [UserSessionItem] })
  sessions: UserSessionItem[];

  @ApiProperty()
  total: number;

  @ApiProperty()
  limit: number;

  @ApiProperty()
  offset: number;
}

export function toUserSessionItem(
  row: SessionRow,
  currentSessionId: string | null,
): UserSessionItem {
  const location =
    row.location_city || row.location_region || row.location_country
      ? { city: row.location_city, region: row.location_region, country: row.location_country }
      : null;
  return {
    id: row.id,
    tenant_id: row.tenant_id,
    created_at: isoZ(row.created_at),
    last_seen_at: isoZOrNull(row.last_seen_at),
    revoked_at: isoZOrNull(row.revoked_at),
    ip_address_masked: row.ip_masked,
    fingerprint: row.fingerprint,
    client: {
      platform: row.client_platform,
      browser: row.client_browser,
      device: row.client_device,
      user_agent: row.user_agent,
    },
    location,
    current: row.id === currentSessionId,
  };
}
