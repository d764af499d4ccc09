import { AsyncLocalStorage } from 'node:async_hooks';
import { annotateActiveSpan } from './tracing/spans';

/** What every log line and error envelope of one request can know about it. */
export interface RequestContextState {
  requestId: string;
  tenantId?: string;
  userId?: string;
}

const storage = new AsyncLocalStorage<RequestContextState>();

/** Request-scoped values without request-scoped providers (they would re-instantiate per request). */
export const RequestContext = {
  run<T>(state: RequestContextState, fn: () => T): T {
    return storage.run(state, fn);
  },
  current(): RequestContextState | undefined {
    return storage.getStore();
  },
  requestId(): string | undefined {
    return storage.getStore()?.requestId;
  },
  /** Called by the auth guard once the principal is known, so later log lines (and the trace) carry it. */
  setPrincipal(userId: string | undefined, tenantId: string | undefined): void {
    const state = storage.getStore();
    if (!state) return;
    state.userId = userId;
    state.tenantId = tenantId;
    // The request's server span carries the tenant (the active span while guards run).
    if (tenantId) annotateActiveSpan({ 'tenant.id': tenantId });
  },
};
