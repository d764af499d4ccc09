import Redis from 'ioredis';
import { Client } from 'pg';

/**
 * Round trips this bench server makes to its backends, counted at the client libraries: every
 * `pg` query (one round trip each; BEGIN and COMMIT count) and every Redis command (a pipeline
 * sends several in one round trip, so they are counted one by one and its round trips apart).
 * Installed before the app is built, so every pool and connection it opens is counted.
 */
export const ioCounts = { pgQueries: 0, redisCommands: 0, redisRoundTrips: 0 };

export function installIoCounters(): void {
  const query = Client.prototype.query as (...args: unknown[]) => unknown;
  Client.prototype.query = function counted(this: Client, ...args: unknown[]) {
    ioCounts.pgQueries += 1;
    return query.apply(this, args);
  } as typeof Client.prototype.query;

  const proto = Redis.prototype as unknown as { sendCommand: (...args: unknown[]) => unknown };
  const sendCommand = proto.sendCommand;
  proto.sendCommand = function counted(this: Redis, ...args: unknown[]) {
    ioCounts.redisCommands += 1;
    // Commands of a pipeline arrive with its write stream; the pipeline's exec counts its trip.
    if (args[1] === undefined) ioCounts.redisRoundTrips += 1;
    return sendCommand.apply(this, args);
  };
  // pipeline() and multi() batch their commands into one write: one round trip per exec.
  const batching = proto as unknown as Record<
    'pipeline' | 'multi',
    (...args: unknown[]) => { exec?: (...args: unknown[]) => unknown }
  >;
  for (const name of ['pipeline', 'multi'] as const) {
    const create = batching[name];
    batching[name] = function counted(this: Redis, ...args: unknown[]) {
      const created = create.apply(this, args);
      const exec = created.exec?.bind(created);
      if (exec) {
        created.exec = (...execArgs: unknown[]) => {
          ioCounts.redisRoundTrips += 1;
          return exec(...execArgs);
        };
      }
      return created;
    };
  }
}
