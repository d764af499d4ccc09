import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AppConfig } from '../../../platform/config/app-config';
import type { TurnUsageEntry, TurnUsageRecorder } from '../../conversations';
import { UsageEventRepository } from './usage-event.repository';

/** `usage_events.source_type` of a chat turn. */
export const CHAT_MESSAGE_SOURCE = 'chat_message';

/** The metered quantity of a turn: input + output tokens (reasoning is part of output). */
export function chatTurnQuantity(
  entry: Pick<TurnUsageEntry, 'inputTokens' | 'outputTokens'>,
): number {
  return Math.max(0, Math.trunc(entry.inputTokens)) + Math.max(0, Math.trunc(entry.outputTokens));
}

/**
 * Billing's side of conversations' turn-usage port: one `usage_events` row per assistant message,
 * in the transaction that stores the message (so a message never exists without its usage row, nor
 * the other way round). The quantity is input + output tokens; reasoning tokens are not added,
 * since OpenAI already counts them in the output tokens. The meter outbox worker sends it to
 * Stripe later, never on the chat request path. A turn with no tokens writes nothing.
 */
@Injectable()
export class ChatUsageRecorder implements TurnUsageRecorder {
  constructor(
    private readonly events: UsageEventRepository,
    private readonly config: AppConfig,
  ) {}

  async record(manager: EntityManager, entry: TurnUsageEntry): Promise<void> {
    const quantity = chatTurnQuantity(entry);
    if (quantity === 0) return;
    await this.events.insert(
      {
        tenantId: entry.tenantId,
        featureKey: this.config.CHAT_USAGE_FEATURE_KEY,
        quantity,
        occurredAt: entry.occurredAt,
        sourceType: CHAT_MESSAGE_SOURCE,
        sourceId: String(entry.messageId),
      },
      manager,
    );
  }
}
