import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ensureBuilt } from '../../support/compiled-app';
import { cliEnv, tempDir, type Env } from './cli-harness';

const ROOT = join(__dirname, '..', '..', '..');
const BIN = join(ROOT, 'bin', 'anything-agents.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The packaged CLI as operators run it: a child process on the compiled code. */
function run(args: string[], env: Env, cwd: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      // A scratch cwd and only the test env: no .env file of the checkout leaks in.
      cwd,
      env: { PATH: process.env.PATH, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('compiled CLI (package bin, child process)', () => {
  let dir: ReturnType<typeof tempDir>;
  let env: Env;

  beforeAll(() => {
    ensureBuilt();
    dir = tempDir('aa-cli-bin-');
    env = cliEnv(dir.path);
  }, 240_000);
  afterAll(() => dir.remove());

  it('prints help and exits 0 without a command', async () => {
    const result = await run([], env, dir.path);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: anything-agents/);
    expect(result.stdout).toMatch(/keys\s+Signing keys/);
  });

  it('rotates and prints the JWKS with exit 0', async () => {
    const rotate = await run(['keys', 'rotate', '--kid', 'bin-key'], env, dir.path);
    expect(rotate.code).toBe(0);
    expect(JSON.parse(rotate.stdout)).toMatchObject({ kid: 'bin-key', storage_backend: 'file' });
    const jwks = await run(['jwks', 'print'], env, dir.path);
    expect(jwks.code).toBe(0);
    expect((JSON.parse(jwks.stdout) as { keys: { kid: string }[] }).keys[0].kid).toBe('bin-key');
  });

  it('exits 1 with `error: <message>` on stderr for bad input', async () => {
    const unknown = await run(['keys', 'spin'], env, dir.path);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^error: unknown command 'spin'/m);
    const missing = await run(['tokens', 'issue-service-account', '-s', 'x'], env, dir.path);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: required option '-a, --account <slug>' not specified/m);
  });
});
