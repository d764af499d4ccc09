import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** The token usage of one stored assistant reply, handed to the recorder. */
export interface TurnUsageEntry {
  tenantId: string;
  /** The assistant message's id (`agent_messages.id`). */
  messageId: number | string;
  occurredAt: Date;
  inputTokens: number;
  /** Includes the reasoning tokens (OpenAI counts them as output tokens). */
  outputTokens: number;
  reasoningTokens: number;
  model: string | null;
}

/**
 * Records a turn's usage for metering, inside the transaction that stores the assistant message
 * (`manager`), so a message and its usage row are written together or not at all. Conversations
 * declares the port and billing implements it (conversations imports no feature module), the way
 * auth's seat-limit port works.
 */
export interface TurnUsageRecorder {
  record(manager: EntityManager, entry: TurnUsageEntry): Promise<void>;
}

/** Holds billing's recorder; without billing, turns are stored without metering. */
@Injectable()
export class TurnUsageRecorderRegistry {
  private recorder?: TurnUsageRecorder;

  register(recorder: TurnUsageRecorder): void {
    this.recorder = recorder;
  }

  /** The registered recorder, or undefined when billing is off. */
  get current(): TurnUsageRecorder | undefined {
    return this.recorder;
  }
}
