import { measure, type LoadResult } from '../lib/load';
import { startServer } from '../lib/server-process';
import type { Scenario } from './scenario';

/** Baselines: a bare NestJS route, the same route on our full stack, and /health. */
export const httpScenario: Scenario = {
  name: 'http',
  description: 'bare NestJS hello vs the foundation stack (hello, /health)',
  async run(context) {
    const results: LoadResult[] = [];
    const bare = await startServer('bare-nest', {});
    try {
      results.push(
        await measure('bare NestJS GET /bench/hello', {
          url: `${bare.url}/bench/hello`,
          ...context.load,
        }),
      );
    } finally {
      await bare.stop();
    }
    const app = await startServer('app', context.backends.env);
    try {
      results.push(
        await measure('app GET /bench/hello (full middleware stack)', {
          url: `${app.url}/bench/hello`,
          ...context.load,
        }),
      );
      results.push(await measure('app GET /health', { url: `${app.url}/health`, ...context.load }));
    } finally {
      await app.stop();
    }
    return { results, notes: [] };
  },
};
