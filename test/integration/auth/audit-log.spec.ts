import { randomUUID } from 'node:crypto';
import { AuditLog } from '../../../src/modules/auth/audit/audit-log.service';
import { AuditRetentionWorker } from '../../../src/modules/auth/audit/audit-retention.worker';
import { RequestContext } from '../../../src/platform/observability/request-context';
import { createTestUser } from '../../support/auth-fixtures';
import { startTestApp, type TestApp } from '../../support/test-app';

/** The audit log on real Postgres: what a record stores, that it rolls back with its change, retention. */
describe('audit log', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { AUDIT_RETENTION_DAYS: '30' } });
  });

  afterAll(async () => {
    await t.close();
  });

  const rowsOf = (tenantId: string) =>
    t.dataSource.query<Record<string, unknown>[]>(
      'SELECT * FROM audit_events WHERE tenant_id = $1 ORDER BY occurred_at',
      [tenantId],
    );

  it('stores actor, target, request id and a salted IP hash, never the IP', async () => {
    const owner = await createTestUser(t);
    const principal = { kind: 'user', userId: owner.userId, account: null } as never;
    const requestId = randomUUID();
    await RequestContext.run({ requestId }, () =>
      t.app.get(AuditLog).record(t.dataSource.manager, {
        actor: principal,
        tenantId: owner.tenantId,
        action: 'member.removed',
        target: { type: 'user', id: owner.userId },
        details: { role: 'viewer' },
        client: { ip: '203.0.113.77', userAgent: 'jest' },
      }),
    );
    const [row] = await rowsOf(owner.tenantId);
    expect(row).toMatchObject({
      actor_user_id: owner.userId,
      actor_account: null,
      action: 'member.removed',
      target_type: 'user',
      target_id: owner.userId,
      request_id: requestId,
      details: { role: 'viewer' },
      ip_hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(JSON.stringify(row)).not.toContain('203.0.113.77');
  });

  it('rolls back with the transaction of the change it records', async () => {
    const owner = await createTestUser(t);
    await expect(
      t.dataSource.transaction(async (tx) => {
        await t.app.get(AuditLog).record(tx, {
          actor: null,
          tenantId: owner.tenantId,
          action: 'member.left',
        });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await rowsOf(owner.tenantId)).toHaveLength(0);
  });

  it('purges events past AUDIT_RETENTION_DAYS and keeps the rest', async () => {
    const owner = await createTestUser(t);
    for (const days of [400, 31, 29, 0]) {
      await t.dataSource.query(
        `INSERT INTO audit_events (tenant_id, action, occurred_at)
         VALUES ($1, 'member.left', now() - make_interval(days => $2))`,
        [owner.tenantId, days],
      );
    }
    const more = await t.app.get(AuditRetentionWorker).purge();
    expect(more).toBe(false);
    const left = await t.dataSource.query<{ age: number }[]>(
      `SELECT extract(day FROM now() - occurred_at)::int AS age FROM audit_events
        WHERE tenant_id = $1 ORDER BY occurred_at`,
      [owner.tenantId],
    );
    expect(left.map((row) => row.age)).toEqual([29, 0]);
  });
});
