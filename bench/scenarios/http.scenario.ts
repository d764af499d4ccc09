import { measureInterleaved } from '../lib/repeat';
import { startServer } from '../lib/server-process';
import type { Scenario } from './scenario';

/** Baselines: a bare NestJS route, the same route on our full stack, and /health. */
export const httpScenario: Scenario = {
  name: 'http',
  description: 'bare NestJS hello vs the foundation stack (hello, /health)',
  async run(context) {
    const bare = await startServer('bare-nest', {});
    const app = await startServer('app', context.backends.env);
    try {
      const results = await measureInterleaved(
        [
          {
            name: 'bare NestJS GET /bench/hello',
            options: { url: `${bare.url}/bench/hello`, ...context.load },
            server: bare,
          },
          {
            name: 'app GET /bench/hello (full stack)',
            options: { url: `${app.url}/bench/hello`, ...context.load },
            server: app,
          },
          {
            name: 'app GET /health',
            options: { url: `${app.url}/health`, ...context.load },
            server: app,
          },
        ],
        context.rounds,
      );
      return { results, notes: [] };
    } finally {
      await bare.stop();
      await app.stop();
    }
  },
};
