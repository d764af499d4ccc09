import { ApiProperty } from '@nestjs/swagger';

/** Reference `HealthResponse` (schema name kept for generated clients). */
export class HealthResponse {
  @ApiProperty({ example: 'healthy' })
  status: string;

  @ApiProperty({
    description: 'UTC, ISO-8601 without offset, microseconds',
    example: '2025-11-09T14:03:07.123000',
  })
  timestamp: string;

  @ApiProperty({ example: '1.0.0' })
  version: string;

  @ApiProperty({ type: Number, nullable: true, description: 'Seconds since the process started' })
  uptime: number | null;
}
