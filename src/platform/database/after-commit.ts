import type {
  DataSource,
  EntityManager,
  EntitySubscriberInterface,
  QueryRunner,
  TransactionCommitEvent,
  TransactionRollbackEvent,
} from 'typeorm';

/** Work waiting for the outermost transaction of a query runner to commit. */
const pending = new WeakMap<QueryRunner, (() => void)[]>();
const installed = new WeakSet<DataSource>();

/**
 * Runs the hooks of a query runner once its outermost transaction committed (TypeORM broadcasts
 * a commit for every savepoint release too, with the transaction still active), and drops them
 * when it rolled back.
 */
const afterCommitSubscriber: EntitySubscriberInterface = {
  afterTransactionCommit(event: TransactionCommitEvent): void {
    if (event.queryRunner.isTransactionActive) return;
    const hooks = pending.get(event.queryRunner);
    pending.delete(event.queryRunner);
    for (const hook of hooks ?? []) hook();
  },
  afterTransactionRollback(event: TransactionRollbackEvent): void {
    if (!event.queryRunner.isTransactionActive) pending.delete(event.queryRunner);
  },
};

/**
 * Calls `hook` after the transaction `manager` belongs to has committed, or at once when
 * `manager` is not in a transaction. For side effects other processes must only see once the
 * rows are visible (a cache invalidation they would otherwise answer by re-reading the old row),
 * where the code making the change does not own the transaction. A hook must not throw: it runs
 * inside TypeORM's commit broadcast; errors are the hook's to handle.
 */
export function afterCommit(manager: EntityManager, hook: () => void): void {
  const runner = manager.queryRunner;
  if (!runner?.isTransactionActive) {
    hook();
    return;
  }
  if (!installed.has(manager.connection)) {
    installed.add(manager.connection);
    manager.connection.subscribers.push(afterCommitSubscriber);
  }
  const hooks = pending.get(runner);
  if (hooks) hooks.push(hook);
  else pending.set(runner, [hook]);
}
