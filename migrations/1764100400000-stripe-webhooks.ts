import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Stripe event store and dispatch bookkeeping with the reference names, plus additive columns:
 * - `stripe_event_dispatch.lease_expires_at` / `lease_token`: a claimed row is leased, so any
 *   number of replicas never dispatch it twice and a row stuck `in_progress` after a crash is
 *   recovered once its lease lapses (decision P12). Status gains `dead` (decision B2).
 * - `stripe_events.stream_*`: a transactional outbox of the billing-stream payload, written in the
 *   same transaction that marks the event processed; the publisher drains it, so retried and
 *   replayed dispatches reach the stream and a Redis outage loses nothing (decision B3).
 */
export class StripeWebhooks1764100400000 implements MigrationInterface {
  name = 'StripeWebhooks1764100400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE stripe_events (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        stripe_event_id varchar(64) NOT NULL,
        event_type varchar(128) NOT NULL,
        payload jsonb NOT NULL,
        tenant_hint varchar(64) NULL,
        stripe_created_at timestamptz NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        processed_at timestamptz NULL,
        processing_outcome varchar(32) NOT NULL DEFAULT 'received',
        processing_error text NULL,
        processing_attempts integer NOT NULL DEFAULT 0,
        stream_tenant_id varchar(64) NULL,
        stream_payload text NULL,
        stream_published_at timestamptz NULL,
        stream_claimed_until timestamptz NULL,
        CONSTRAINT pk_stripe_events PRIMARY KEY (id),
        CONSTRAINT uq_stripe_events_stripe_event_id UNIQUE (stripe_event_id)
      )`);
    await q.query('CREATE INDEX ix_stripe_events_type ON stripe_events (event_type)');
    await q.query('CREATE INDEX ix_stripe_events_status ON stripe_events (processing_outcome)');
    await q.query(`
      CREATE INDEX ix_stripe_events_stream_outbox ON stripe_events (processed_at)
        WHERE stream_payload IS NOT NULL AND stream_published_at IS NULL`);

    await q.query(`
      CREATE TABLE stripe_event_dispatch (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        stripe_event_id uuid NOT NULL,
        handler varchar(64) NOT NULL,
        status varchar(32) NOT NULL DEFAULT 'pending',
        attempts integer NOT NULL DEFAULT 0,
        last_attempt_at timestamptz NULL,
        next_retry_at timestamptz NULL,
        last_error text NULL,
        lease_expires_at timestamptz NULL,
        lease_token uuid NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_stripe_event_dispatch PRIMARY KEY (id),
        CONSTRAINT uq_stripe_event_dispatch_handler UNIQUE (stripe_event_id, handler),
        CONSTRAINT fk_stripe_event_dispatch_stripe_event_id_stripe_events FOREIGN KEY (stripe_event_id)
          REFERENCES stripe_events (id) ON DELETE CASCADE
      )`);
    await q.query(
      'CREATE INDEX ix_stripe_event_dispatch_handler_status ON stripe_event_dispatch (handler, status, next_retry_at)',
    );
    await q.query(`
      CREATE INDEX ix_stripe_event_dispatch_due ON stripe_event_dispatch (next_retry_at, created_at)
        WHERE status IN ('pending', 'failed')`);
    await q.query(`
      CREATE INDEX ix_stripe_event_dispatch_leased ON stripe_event_dispatch (lease_expires_at)
        WHERE status = 'in_progress'`);
    await q.query(`
      CREATE INDEX ix_stripe_event_dispatch_dead ON stripe_event_dispatch (updated_at)
        WHERE status = 'dead'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE IF EXISTS stripe_event_dispatch');
    await q.query('DROP TABLE IF EXISTS stripe_events');
  }
}
