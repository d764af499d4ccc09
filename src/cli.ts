import 'reflect-metadata';
import { runCli } from './cli/run-cli';

/** Operator CLI entry: `npm run cli -- <command>` or the `anything-agents` bin. */
runCli(process.argv.slice(2))
  .then((code) => process.exit(code))
  .catch((error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
