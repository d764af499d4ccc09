#!/usr/bin/env node
// Runs jest with the flags this stack needs: PGlite (embedded Postgres fallback) loads its WASM
// through dynamic import(), which jest only supports with --experimental-vm-modules.
const { spawnSync } = require('node:child_process');

/** The project names jest.config.js declares (displayName), e.g. unit, integration, e2e. */
function projectNames() {
  try {
    const config = require('../jest.config.js');
    return new Set((config.projects ?? []).map((p) => p && p.displayName).filter(Boolean));
  } catch {
    return new Set(['unit', 'integration', 'e2e']);
  }
}

/**
 * jest's `--selectProjects` takes a variadic list, so in `npm run test:unit -- test/unit/x.spec.ts`
 * (argv `--selectProjects unit test/unit/x.spec.ts`) the path would be read as a second project
 * name and every unit file would run. Words following `--selectProjects` that are not a project
 * name are moved to the front of the jest argv, where they are plain test path patterns. Anything
 * after a literal `--` is left alone (jest reads it as positional already), so
 * `node scripts/run-tests.js --selectProjects e2e -- <pattern>` keeps working.
 */
function normaliseArgs(args, names) {
  const patterns = [];
  const rest = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i];
    if (arg === '--') {
      rest.push(...args.slice(i));
      break;
    }
    const inline = /^--select-?[pP]rojects=(.*)$/.exec(arg);
    if (arg === '--selectProjects' || arg === '--select-projects' || inline) {
      const selected = inline ? [inline[1]] : [];
      while (i + 1 < args.length && !args[i + 1].startsWith('-')) {
        const word = args[i + 1];
        if (names.has(word)) selected.push(word);
        else patterns.push(word);
        i += 1;
      }
      rest.push('--selectProjects', ...selected);
      continue;
    }
    rest.push(arg);
  }
  return [...patterns, ...rest];
}

const nodeOptions = [
  process.env.NODE_OPTIONS,
  '--experimental-vm-modules',
  '--no-warnings=ExperimentalWarning',
]
  .filter(Boolean)
  .join(' ');
const result = spawnSync(
  process.execPath,
  [
    require.resolve('jest/bin/jest'),
    '--maxWorkers=2',
    ...normaliseArgs(process.argv.slice(2), projectNames()),
  ],
  { stdio: 'inherit', env: { ...process.env, NODE_OPTIONS: nodeOptions } },
);
process.exit(result.status ?? 1);
