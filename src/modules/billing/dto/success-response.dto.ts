import { ApiProperty } from '@nestjs/swagger';

/** Reference `SuccessResponse` (same schema as auth's). */
export class SuccessResponse {
  @ApiProperty({ default: true })
  success: boolean;

  @ApiProperty()
  message: string;

  @ApiProperty({ nullable: true, description: 'Any JSON value or null' })
  data: unknown;
}
