/**
 * The Agents SDK run context of a chat turn: who is asking. Tools read their caller from here
 * (never from the model's arguments), so conversation search stays within the caller's own
 * tenant and user (decision C1, spec 11.1 B2).
 */
export interface ChatRunContext {
  tenantId: string;
  userId: string;
}
