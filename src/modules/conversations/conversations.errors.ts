import { AppException } from '../../platform/http/app-exception';

/** Stable machine codes of conversation failures (the envelope `code`). */
export enum ConversationErrorCode {
  NotFound = 'conversation_not_found',
}

/**
 * 404 `Conversation <id> not found` (reference text): also the answer for a conversation that
 * belongs to another tenant or user (decision C1), so ids cannot be probed.
 */
export class ConversationNotFoundException extends AppException {
  constructor(conversationId: string) {
    super(404, `Conversation ${conversationId} not found`, {
      code: ConversationErrorCode.NotFound,
    });
  }
}
