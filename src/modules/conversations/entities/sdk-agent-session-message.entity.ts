import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** `sdk_agent_session_messages`: one JSON-serialised SDK input item per row. */
@Entity({ name: 'sdk_agent_session_messages' })
export class SdkAgentSessionMessageEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'session_id', type: 'varchar', length: 255 })
  sessionId: string;

  @Column({ name: 'message_data', type: 'text' })
  messageData: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
