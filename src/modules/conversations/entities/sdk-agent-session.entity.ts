import { Column, Entity, PrimaryColumn } from 'typeorm';

/** `sdk_agent_sessions`: one row per Agents SDK memory session. */
@Entity({ name: 'sdk_agent_sessions' })
export class SdkAgentSessionEntity {
  @PrimaryColumn({ name: 'session_id', type: 'varchar', length: 255 })
  sessionId: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
