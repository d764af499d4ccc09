import { startTestApp } from '../../support/test-app';

const BILLING_FAMILIES = [
  '# TYPE stripe_api_requests_total counter',
  '# TYPE stripe_gateway_operations_total counter',
  '# TYPE stripe_webhook_events_total counter',
  '# TYPE stripe_dispatch_retry_total counter',
  '# TYPE stripe_webhook_lag_seconds histogram',
];

/** Metrics dashboards and alerts depend on: billing families with billing off, worker liveness. */
describe('operator metric families', () => {
  it('are present, at zero, when billing is off, while its routes stay 404', async () => {
    const t = await startTestApp({ env: { ENABLE_BILLING: 'false' } });
    try {
      await t.http.get('/api/v1/billing/plans').expect(404);
      const scrape = await t.http.get('/metrics').expect(200);
      for (const family of BILLING_FAMILIES) expect(scrape.text).toContain(family);
      expect(scrape.text).toMatch(/^stripe_billing_stream_backlog_seconds 0$/m);
      expect(scrape.text).toMatch(/^stripe_dispatch_dead_letters 0$/m);
      // No series yet: nothing happened.
      expect(scrape.text).not.toMatch(/^stripe_api_requests_total\{/m);
    } finally {
      await t.close();
    }
  });

  it('running workers report a heartbeat and their last success', async () => {
    const t = await startTestApp({ env: { AUDIT_RETENTION_DAYS: '30' } });
    try {
      const pattern =
        /^background_worker_last_success_timestamp_seconds\{worker="audit-retention"\} ([\d.e+]+)$/m;
      let stamp = 0;
      for (let i = 0; i < 50 && stamp === 0; i += 1) {
        const scrape = await t.http.get('/metrics').expect(200);
        stamp = Number(pattern.exec(scrape.text)?.[1] ?? 0);
        if (stamp === 0) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(stamp).toBeGreaterThan(Date.now() / 1000 - 60);
      const scrape = await t.http.get('/metrics').expect(200);
      expect(scrape.text).toMatch(
        /^background_worker_runs_total\{worker="audit-retention",result="success"\} [1-9]/m,
      );
      expect(scrape.text).toContain(
        'background_worker_heartbeat_timestamp_seconds{worker="audit-retention"}',
      );
    } finally {
      await t.close();
    }
  });

  it('counts Redis connection errors', async () => {
    // Nothing listens on port 1: every connection attempt fails.
    const t = await startTestApp({ env: { REDIS_URL: 'redis://127.0.0.1:1/0' } });
    try {
      const scrape = await t.http.get('/metrics').expect(200);
      const errors = Number(
        /^redis_connection_errors_total\{connection="main"\} (\d+)$/m.exec(scrape.text)?.[1],
      );
      expect(errors).toBeGreaterThan(0);
    } finally {
      await t.close();
    }
  });
});
