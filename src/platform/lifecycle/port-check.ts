import { createServer } from 'node:net';

/** The HTTP port is taken: reported as one line with what to do, never as a stack trace. */
export class PortInUseError extends Error {
  constructor(host: string, port: number) {
    super(
      `port ${port} on ${host} is already in use (is another server running?); ` +
        `stop it or choose another port, e.g. PORT=${port + 1} npm start (or PORT in .env)`,
    );
    this.name = 'PortInUseError';
  }
}

export function isAddressInUse(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === 'EADDRINUSE';
}

/**
 * Fails fast, before the database is opened and workers start, when `port` cannot be bound. The
 * probe is closed again at once; `listen` itself still maps a lost race to the same error.
 */
export async function assertPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error) =>
      reject(isAddressInUse(error) ? new PortInUseError(host, port) : error),
    );
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}
