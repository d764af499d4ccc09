import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import type { Logger } from 'pino';
import { LifecycleService } from './lifecycle.service';

/**
 * SIGTERM/SIGINT (decision P6): readiness turns 503 at once, open streams are told to finish, the
 * listener stops accepting, in-flight requests drain, then workers stop and pools close through
 * Nest's shutdown hooks, and buffered spans are exported. Exceeding SHUTDOWN_GRACE_SECONDS exits
 * non-zero.
 */
export function installGracefulShutdown(
  app: INestApplication,
  logger: Logger,
  graceSeconds: number,
  tracing?: { shutdown(): Promise<void> } | null,
): void {
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, grace_seconds: graceSeconds }, 'Shutdown started');
    const deadline = setTimeout(() => {
      logger.error({ grace_seconds: graceSeconds }, 'Shutdown deadline exceeded; exiting');
      process.exit(1);
    }, graceSeconds * 1000);
    // Kept referenced on purpose: it holds the event loop open until shutdown finishes, so the
    // process cannot slip out early once every socket and pool has closed.
    try {
      await app.get(LifecycleService).beginShutdown();
      const server = app.getHttpServer() as Server;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await app.close();
      // Spans still buffered (the drain's own requests among them) reach the collector.
      await tracing?.shutdown().catch((error: unknown) => {
        logger.warn({ err: error }, 'Trace export on shutdown failed');
      });
      clearTimeout(deadline);
      logger.info('Shutdown complete');
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'Shutdown failed');
      process.exit(1);
    }
  };
  // `on`, not `once`: the Agents SDK exits the process on SIGTERM when it sees no other
  // listener left, which would cut our drain short.
  process.on('SIGTERM', (signal) => void stop(signal));
  process.on('SIGINT', (signal) => void stop(signal));
}
