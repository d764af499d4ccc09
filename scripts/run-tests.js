#!/usr/bin/env node
// Runs jest with the flags this stack needs: PGlite (embedded Postgres fallback) loads its WASM
// through dynamic import(), which jest only supports with --experimental-vm-modules.
const { spawnSync } = require('node:child_process');

const nodeOptions = [
  process.env.NODE_OPTIONS,
  '--experimental-vm-modules',
  '--no-warnings=ExperimentalWarning',
]
  .filter(Boolean)
  .join(' ');
const result = spawnSync(
  process.execPath,
  [require.resolve('jest/bin/jest'), '--maxWorkers=2', ...process.argv.slice(2)],
  { stdio: 'inherit', env: { ...process.env, NODE_OPTIONS: nodeOptions } },
);
process.exit(result.status ?? 1);
