import { readEnvSources } from '../../config/env-source';
import { startTracing, type TracingHandle } from './tracing-sdk';
import { dotenvTracingVariables } from './tracing-settings';

/**
 * Imported first by the entry points (`src/main.ts`, the benchmark server), before anything
 * requires `http`, `pg` or `ioredis`, so the instrumentations can patch them. `OTEL_*` values
 * from `.env` files are copied into the process environment first (the SDK reads only there).
 */
function register(): TracingHandle | null {
  Object.assign(process.env, dotenvTracingVariables(process.env, readEnvSources(process.env)));
  return startTracing(process.env);
}

export const tracing: TracingHandle | null = register();
