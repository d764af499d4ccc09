/**
 * The Agents SDK run context of a chat turn: who is asking. Tools read their caller from here
 * (never from the model's arguments), so conversation search stays within the caller's own tenant
 * and user (decision C1; the replaced service's search tool searched every tenant's messages).
 */
export interface ChatRunContext {
  tenantId: string;
  userId: string;
  /**
   * Whether the tenant's plan offers web search in this run (billing entitlements); the tool is
   * not shown to the model when false. Absent means allowed.
   */
  webSearch?: boolean;
  /**
   * The request's `context`, reduced to its scalar entries (docs/chat-runs.md): client facts such
   * as locale, timezone or the page the user is on. Untrusted input from the client, never used
   * for authorisation.
   */
  client?: Readonly<Record<string, string | number | boolean | null>>;
}
