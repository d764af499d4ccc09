import type { EnvMap } from '../../config/env-source';

/**
 * Whether OpenTelemetry tracing should start (docs/operations.md, "Tracing"): only when an OTLP
 * endpoint is configured (`OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`),
 * and not when the standard switches turn it off (`OTEL_SDK_DISABLED=true`,
 * `OTEL_TRACES_EXPORTER=none`). Off means the SDK is never loaded: zero cost.
 */
export function tracingConfigured(env: EnvMap): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  const exporters = (env.OTEL_TRACES_EXPORTER ?? 'otlp').split(',').map((name) => name.trim());
  if (exporters.includes('none')) return false;
  return Boolean(
    env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim(),
  );
}

/**
 * The `OTEL_*` variables of `.env` / `.env.local` the process environment does not set, so a
 * tracing setup in a dotenv file works like every other setting (the SDK reads only
 * `process.env`).
 */
export function dotenvTracingVariables(processEnv: EnvMap, merged: EnvMap): EnvMap {
  const extra: EnvMap = {};
  for (const [name, value] of Object.entries(merged)) {
    if (name.startsWith('OTEL_') && processEnv[name] === undefined) extra[name] = value;
  }
  return extra;
}
