import { startTestApp } from '../../support/test-app';

const BILLING_FAMILIES = [
  '# TYPE stripe_api_requests_total counter',
  '# TYPE stripe_gateway_operations_total counter',
  '# TYPE stripe_webhook_events_total counter',
  '# TYPE stripe_dispatch_retry_total counter',
  '# TYPE stripe_webhook_lag_seconds histogram',
];

/** Dashboards and alerts find the billing metric families whether billing is mounted or not. */
describe('billing metric families', () => {
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
});
