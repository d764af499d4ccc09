import { ApiProperty } from '@nestjs/swagger';

/** Reference `SuccessResponse` envelope, shared by every area (one OpenAPI schema). */
export class SuccessResponse<T = unknown> {
  @ApiProperty({ default: true })
  success: boolean;

  @ApiProperty()
  message: string;

  @ApiProperty({ nullable: true, description: 'Any JSON value or null' })
  data: T | null;
}

export function success<T>(message: string, data: T | null = null): SuccessResponse<T> {
  return { success: true, message, data };
}
