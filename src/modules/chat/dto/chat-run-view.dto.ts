import { ApiProperty } from '@nestjs/swagger';

/** The answer of `POST /api/v1/chat/runs/{run_id}/cancel` (docs/chat-runs.md). */
export class ChatRunView {
  @ApiProperty()
  run_id: string;

  @ApiProperty()
  conversation_id: string;

  @ApiProperty({
    enum: ['cancelling', 'cancelled', 'completed', 'incomplete', 'failed'],
    description:
      '`cancelled` once stopped (200); `cancelling` if it had not stopped within 3 s (202); a run ' +
      'that had already ended keeps its own final state (200)',
  })
  status: string;

  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'The stored (partial) reply, when there is one',
  })
  message_id: number | null;
}
