/**
 * Probe and scrape paths: answered whatever the Host (Kubernetes probes use the pod IP), logged at
 * debug, never traced. A leaf module so the HTTP and observability layers can both read it.
 */
export const PROBE_PATHS = new Set([
  '/health',
  '/health/ready',
  '/livez',
  '/readyz',
  '/startupz',
  '/metrics',
]);
