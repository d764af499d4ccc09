import { afterCommit } from '../../../src/platform/database';
import { startTestApp, type TestApp } from '../../support/test-app';

/** afterCommit hooks against the app's real DataSource (Postgres or the embedded one). */
describe('afterCommit', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  it('runs a hook only once the outermost transaction committed, savepoints included', async () => {
    const calls: string[] = [];
    await t.dataSource.transaction(async (manager) => {
      afterCommit(manager, () => calls.push('outer'));
      await manager.transaction(async (nested) => {
        afterCommit(nested, () => calls.push('inner'));
        await nested.query('SELECT 1');
      });
      // The savepoint was released, the transaction is still open.
      expect(calls).toEqual([]);
      await manager.query('SELECT 1');
    });
    expect(calls).toEqual(['outer', 'inner']);
  });

  it('drops the hooks of a transaction that rolled back', async () => {
    const calls: string[] = [];
    await expect(
      t.dataSource.transaction(async (manager) => {
        afterCommit(manager, () => calls.push('lost'));
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    // The same pooled connection's next transaction does not run them either.
    await t.dataSource.transaction(async (manager) => {
      afterCommit(manager, () => calls.push('next'));
    });
    expect(calls).toEqual(['next']);
  });

  it('runs at once outside a transaction', () => {
    const calls: string[] = [];
    afterCommit(t.dataSource.manager, () => calls.push('now'));
    expect(calls).toEqual(['now']);
  });
});
