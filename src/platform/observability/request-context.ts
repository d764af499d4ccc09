import { AsyncLocalStorage } from 'node:async_hooks';

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
  /** Called by the auth guard once the principal is known, so later log lines carry it. */
  setPrincipal(userId: string | undefined, tenantId: string | undefined): void {
    const state = storage.getStore();
    if (!state) return;
    state.userId = userId;
    state.tenantId = tenantId;
  },
};
