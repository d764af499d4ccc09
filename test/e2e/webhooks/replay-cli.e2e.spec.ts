import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StripeEventsPrompt } from '../../../src/cli/commands/stripe-events.prompt';
import { cliEnv, runCommand, type CommandResult } from '../../integration/cli/cli-harness';
import { createTestUser } from '../../support/auth-fixtures';
import type { StripeFake } from '../../support/fakes';
import { startTestApp, usingRealPostgres, type TestApp } from '../../support/test-app';
import { billingEnv, startBillingStripeFake } from '../billing/billing-kit';
import {
  dispatchesOf,
  event,
  postEvent,
  settled,
  subscriptionObject,
  subscriptionOf,
  failingInvoice,
  startStarterSubscription,
} from './webhook-kit';

interface CliRun extends CommandResult {
  lines: string[];
  prompts: number;
}

// The CLI is its own process (its own application context): it sees the app's rows only on a
// shared, real Postgres (the embedded database lives inside one app).
const describeShared = usingRealPostgres() ? describe : describe.skip;

describeShared('stripe-events CLI: list and replay failed and dead dispatches', () => {
  let stripe: StripeFake;
  let t: TestApp;
  let keyDir: string;

  beforeAll(async () => {
    stripe = await startBillingStripeFake();
    t = await startTestApp({ env: billingEnv(stripe) });
    keyDir = mkdtempSync(join(tmpdir(), 'aa-cli-'));
  });

  afterAll(async () => {
    await t.close();
    await stripe.close();
    rmSync(keyDir, { recursive: true, force: true });
  });

  /**
   * One CLI invocation in-process through the real CLI root module (the CLI harness), with a
   * scripted answer to the confirmation prompt.
   */
  async function cli(args: string[], answer = true): Promise<CliRun> {
    let prompts = 0;
    const prompt = {
      confirm: () => {
        prompts += 1;
        return Promise.resolve(answer);
      },
    };
    // The operator's environment: the app's Stripe settings (the price map resolves plans);
    // ENABLE_BILLING is not required (reference: `replay_events.py` runs without it).
    const env = cliEnv(keyDir, {
      ...billingEnv(stripe),
      ENABLE_BILLING: undefined,
      REDIS_KEY_PREFIX: t.redisKeyPrefix,
    });
    const result = await runCommand(args, env, [[StripeEventsPrompt, prompt]]);
    return { ...result, lines: result.stdout.split('\n').filter(Boolean), prompts };
  }

  it('lists failed rows of every handler by default, and dead rows on request', async () => {
    const owner = await createTestUser(t, { role: 'owner' });
    const failed = await failingInvoice(t, owner.tenantId, {
      customer: 'cus_cli',
      subscription: 'sub_cli',
    });
    const dead = await failingInvoice(t, owner.tenantId, {
      customer: 'cus_cli',
      subscription: 'sub_cli',
    });
    await t.dataSource.query(`UPDATE stripe_event_dispatch SET status = 'dead' WHERE id = $1`, [
      dead.row.id,
    ]);

    const listed = await cli(['stripe-events', 'list', '--limit', '200']);
    expect(listed.lines[0]).toBe('Page 1 (limit 200)');
    const failedLine = listed.lines.find((line) => line.startsWith(failed.row.id));
    expect(failedLine?.split('\t').slice(0, 6)).toEqual([
      failed.row.id,
      'failed',
      'handler=invoice_sync',
      'attempts=1',
      `event=${failed.fixture.id} (invoice.paid)`,
      `tenant=${owner.tenantId}`,
    ]);
    expect(listed.lines.some((line) => line.startsWith(dead.row.id))).toBe(false);

    const deadListed = await cli(['stripe-events', 'list', '--status', 'dead', '--limit', '200']);
    expect(deadListed.lines.some((line) => line.startsWith(`${dead.row.id}\tdead\t`))).toBe(true);
    const none = await cli(['stripe-events', 'list', '--handler', 'no_such_handler']);
    const bare = await cli(['stripe-events']);
    expect(bare.lines[0]).toMatch(/^(Page 1 \(limit 20\)|No dispatches found\.)$/);
    expect(none.lines).toEqual(['No dispatches found.']);
  });

  it('replays a failed and a dead row by id after confirmation, and exits 0', async () => {
    const owner = await createTestUser(t, { role: 'owner' });
    const failed = await failingInvoice(t, owner.tenantId, {
      customer: 'cus_cli',
      subscription: 'sub_cli',
    });
    const dead = await failingInvoice(t, owner.tenantId, {
      customer: 'cus_cli',
      subscription: 'sub_cli',
    });
    await t.dataSource.query(`UPDATE stripe_event_dispatch SET status = 'dead' WHERE id = $1`, [
      dead.row.id,
    ]);
    await startStarterSubscription(t, owner);

    const io = await cli([
      'stripe-events',
      'replay',
      '--dispatch-id',
      failed.row.id,
      '--dispatch-id',
      dead.row.id,
    ]);
    expect(io.prompts).toBe(1);
    expect(io.lines).toContain(`  ${failed.row.id} (handler=invoice_sync)`);
    expect(io.lines.filter((line) => line.startsWith('Replayed dispatch'))).toHaveLength(2);
    expect(io.code).toBe(0);
    expect((await dispatchesOf(t, failed.fixture.id))[0].status).toBe('completed');
    expect((await dispatchesOf(t, dead.fixture.id))[0].status).toBe('completed');
  });

  it('replays by event id with the handler derived from the type, and by status with --yes', async () => {
    const owner = await createTestUser(t, { role: 'owner' });
    const byEvent = await failingInvoice(t, owner.tenantId, {
      customer: 'cus_cli',
      subscription: 'sub_cli',
    });
    await startStarterSubscription(t, owner);
    const events = await cli([
      'stripe-events',
      'replay',
      '--event-id',
      byEvent.fixture.id,
      '--yes',
    ]);
    expect(events.prompts).toBe(0);
    expect(events.lines).toEqual([
      expect.stringMatching(
        new RegExp(
          `^Replayed dispatch ${byEvent.row.id} \\(handler=invoice_sync\\); processed_at=\\d{4}-`,
        ),
      ),
    ]);

    // A subscription event for a tenant that does not exist yet: billing_sync fails, goes dead.
    const tenantId = randomUUID();
    const fixture = event('customer.subscription.updated', subscriptionObject({ tenantId }));
    await postEvent(t, fixture).expect(202);
    const [row] = await settled(t, fixture.id, ['failed']);
    await t.dataSource.query(`UPDATE stripe_event_dispatch SET status = 'dead' WHERE id = $1`, [
      row.id,
    ]);
    await t.dataSource.query('INSERT INTO tenant_accounts (id, slug, name) VALUES ($1, $2, $3)', [
      tenantId,
      `cli-${tenantId.slice(0, 8)}`,
      'CLI tenant',
    ]);
    const dead = await cli([
      'stripe-events',
      'replay',
      '--status',
      'dead',
      '--handler',
      'billing_sync',
      '--limit',
      '1',
      '--yes',
    ]);
    expect(dead.lines).toEqual([
      expect.stringContaining(`Replayed dispatch ${row.id} (handler=billing_sync)`),
    ]);
    expect((await dispatchesOf(t, fixture.id))[0]).toMatchObject({
      status: 'completed',
      attempts: 2,
    });
    expect(await subscriptionOf(t, tenantId)).toMatchObject({ status: 'active' });
  });

  it('exits non-zero when a replay fails, and does nothing when the operator declines', async () => {
    const owner = await createTestUser(t, { role: 'owner' });
    const failed = await failingInvoice(t, owner.tenantId, {
      customer: 'cus_cli',
      subscription: 'sub_cli',
    });

    const declined = await cli(['stripe-events', 'replay', '--dispatch-id', failed.row.id], false);
    expect(declined.lines).toContain('Aborted by user.');
    expect((await dispatchesOf(t, failed.fixture.id))[0].attempts).toBe(1);

    const io = await cli(['stripe-events', 'replay', '--dispatch-id', failed.row.id, '--yes']);
    expect(io.lines).toEqual([
      expect.stringMatching(
        new RegExp(`^Failed to replay dispatch ${failed.row.id} .*has no subscription`),
      ),
    ]);
    expect(io.code).toBe(1);
    expect(io.stderr).toBe('error: 1 of 1 replay(s) failed\n');

    const nothing = await cli(['stripe-events', 'replay']);
    expect(nothing.stderr).toBe(
      'error: Provide --dispatch-id, --event-id, or --status for replay.\n',
    );
    expect(nothing.code).toBe(1);
  });
});
