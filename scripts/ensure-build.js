#!/usr/bin/env node
// `npm run cli` runs this first (precli): it rebuilds dist/ (the `build` + `postbuild` scripts)
// only when an input of the build changed since the last build it made, so an up-to-date
// checkout starts the CLI without a type-check. Silent when current; one stderr line otherwise.
//
// Staleness is a fingerprint (sha256 of path, size and mtime of every input), not a "newer
// than" comparison, so clock skew, `git checkout` of older files and deleted files all count.
const { createHash } = require('node:crypto');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const STAMP = path.join('dist', '.build-stamp');
/** Shared with test/support/compiled-app.ts, so a CLI call and a test run never build at once. */
const LOCK = path.join('dist', '.build-lock');
const ENTRY = path.join('dist', 'src', 'cli.js');
/** Inputs besides tsconfig.build.json's `include`: compiler settings and dependencies. */
const ROOT_INPUTS = /^(tsconfig[^/]*\.json|package\.json|package-lock\.json)$/;
const DEFAULT_INPUTS = ['src', 'migrations', 'bench', 'test/support', 'ormconfig.ts'];
const SKIP_DIRS = new Set(['node_modules', 'dist', '.git']);

/** Top-level files and directories named by tsconfig.build.json's `include` (e.g. `src`). */
function buildInputs(root) {
  try {
    const tsconfig = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.build.json'), 'utf8'));
    const roots = (tsconfig.include ?? []).map((pattern) => {
      const fixed = [];
      for (const part of pattern.split('/')) {
        if (/[*?{[]/.test(part)) break;
        fixed.push(part);
      }
      return fixed.join('/');
    });
    const unique = [...new Set(roots.filter(Boolean))];
    return unique.length > 0 ? unique : DEFAULT_INPUTS;
  } catch {
    return DEFAULT_INPUTS;
  }
}

function walk(root, relative, entries) {
  let stat;
  try {
    stat = fs.statSync(path.join(root, relative));
  } catch {
    return; // an input that does not exist (yet) contributes nothing
  }
  if (stat.isDirectory()) {
    const names = fs.readdirSync(path.join(root, relative)).sort();
    for (const name of names) {
      if (!SKIP_DIRS.has(name)) walk(root, path.join(relative, name), entries);
    }
  } else if (stat.isFile()) {
    entries.push(`${relative.split(path.sep).join('/')}\0${stat.size}\0${stat.mtimeMs}`);
  }
}

/** Fingerprint of the build inputs under `root`: changes when one is added, removed or touched. */
function fingerprint(root) {
  const entries = [];
  for (const name of fs.readdirSync(root).sort()) {
    if (ROOT_INPUTS.test(name)) walk(root, name, entries);
  }
  for (const input of buildInputs(root)) walk(root, input, entries);
  return createHash('sha256').update(entries.join('\n')).digest('hex');
}

function readStamp(stampPath) {
  try {
    return fs.readFileSync(stampPath, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/**
 * Why dist/ must be rebuilt, or undefined when it is current: the stamp or the CLI entry point
 * is missing, or the inputs' fingerprint differs from the one recorded by the last build.
 */
function staleReason(root, stampPath = path.join(root, STAMP)) {
  const stamp = readStamp(stampPath);
  if (stamp === undefined) return 'no build stamp';
  if (!fs.existsSync(path.join(root, ENTRY))) return 'dist missing';
  if (stamp !== fingerprint(root)) return 'src changed';
  return undefined;
}

function isStale(root, stampPath) {
  return staleReason(root, stampPath) !== undefined;
}

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function withBuildLock(root, action) {
  const lock = path.join(root, LOCK);
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      let stale = false;
      try {
        stale = Date.now() - fs.statSync(lock).mtimeMs > 300_000;
      } catch {
        // released meanwhile
      }
      if (stale) fs.rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`timed out waiting for the build lock ${lock}`);
      sleep(250);
    }
  }
  try {
    return action();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

/** `npm run build` (prebuild, build, postbuild) without npm; exit status of the first failure. */
function build(root) {
  const scripts = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).scripts;
  const binPath = path.join(root, 'node_modules', '.bin');
  const env = { ...process.env, PATH: `${binPath}${path.delimiter}${process.env.PATH ?? ''}` };
  for (const name of ['prebuild', 'build', 'postbuild']) {
    if (!scripts[name]) continue;
    const result = spawnSync(scripts[name], { cwd: root, env, shell: true, stdio: 'inherit' });
    if (result.status !== 0) return result.status ?? 1;
  }
  return 0;
}

/** Rebuilds when stale (fingerprint taken before compiling, so edits during the build count). */
function ensureBuild(root = ROOT) {
  if (!isStale(root)) return 0;
  return withBuildLock(root, () => {
    const reason = staleReason(root);
    if (reason === undefined) return 0; // another process built it while we waited
    process.stderr.write(`Building (${reason})…\n`);
    const stampPath = path.join(root, STAMP);
    const inputs = fingerprint(root);
    fs.rmSync(stampPath, { force: true });
    const status = build(root);
    if (status !== 0) return status;
    fs.writeFileSync(stampPath, `${inputs}\n`);
    return 0;
  });
}

module.exports = { fingerprint, staleReason, isStale, ensureBuild, STAMP };

if (require.main === module) process.exit(ensureBuild());
