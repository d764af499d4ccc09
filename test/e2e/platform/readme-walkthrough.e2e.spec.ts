import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { ensureBuilt, freePort, MAIN_JS, ROOT, waitForHttp } from '../../support/compiled-app';

const SCRIPT = join(ROOT, 'docs', 'walkthrough.sh');
const README = join(ROOT, 'README.md');
const BLOCK = /<!-- walkthrough:start -->\n\n```bash\n([\s\S]*?)```\n\n<!-- walkthrough:end -->/;
/** The `node` running this test first on PATH, so the script's `node -e` finds one. */
const PATH = [dirname(process.execPath), process.env.PATH ?? ''].join(delimiter);

/**
 * `node -e` program: prints the last verification token the server logged for an address
 * (argv: log file, email), waiting up to 10 s for the line. It accepts the link form
 * (`token=<TOKEN>`) and the curl form (`{"token":"<TOKEN>"}`, escaped inside a JSON log line).
 */
const TOKEN_FROM_LOG = [
  'const [file, email] = process.argv.slice(1);',
  'const deadline = Date.now() + 10000;',
  'for (;;) {',
  '  const lines = require("node:fs").readFileSync(file, "utf8").split("\\n").filter((l) => l.includes(email));',
  '  const tokens = [...lines.join("\\n").matchAll(/token(?:=|\\\\?"\\s*:\\s*\\\\?")([\\w.~-]+)/g)];',
  '  if (tokens.length > 0) { console.log(tokens[tokens.length - 1][1]); break; }',
  '  if (Date.now() > deadline) { console.error(`no verification token for ${email} in ${file}`); process.exit(1); }',
  '  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);',
  '}',
].join('\n');

interface Finished {
  code: number | null;
  output: string;
}

/** Runs `bash docs/walkthrough.sh` with exactly `env` (plus PATH); stdout and stderr together. */
function runWalkthrough(env: Record<string, string>, timeoutMs: number): Promise<Finished> {
  return new Promise((resolve) => {
    const child = spawn('bash', [SCRIPT], {
      cwd: ROOT,
      env: { PATH, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** The script's output by step number: `== 5. chat ...` starts the text of step 5. */
function steps(output: string): Map<string, string[]> {
  const sections = new Map<string, string[]>();
  for (const section of output.split(/^== /m).slice(1)) {
    const [heading, ...lines] = section.split('\n');
    sections.set(
      heading.split('.')[0],
      lines.filter((line) => line.trim() !== ''),
    );
  }
  return sections;
}

/**
 * Issue 12: the README's walkthrough is `docs/walkthrough.sh`, included verbatim, and it runs
 * green against the compiled server on its embedded defaults, exactly as a newcomer runs it
 * against `npm start` (verification token taken from the server log, as they would).
 */
describe('the README walkthrough', () => {
  it('includes docs/walkthrough.sh verbatim', () => {
    const block = BLOCK.exec(readFileSync(README, 'utf8'));
    expect(block).not.toBeNull();
    expect(block![1]).toBe(readFileSync(SCRIPT, 'utf8'));
  });

  it('finds the verification token in both log formats (link and curl command)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aa-walk-log-'));
    try {
      const log = join(dir, 'server.log');
      const token = (email: string) =>
        spawnSync(process.execPath, ['-e', TOKEN_FROM_LOG, log, email], { encoding: 'utf8' });
      writeFileSync(
        log,
        [
          JSON.stringify({
            to: 'a@example.com',
            body: 'Verify:\nhttp://x/verify-email?token=aa.11\n',
          }),
          JSON.stringify({ msg: 'unrelated token=zz.99' }),
          JSON.stringify({
            to: 'b@example.com',
            msg: `Verify: curl -X POST http://localhost:8000/api/v1/auth/email/verify -H 'content-type: application/json' -d '{"token":"bb.22"}'`,
          }),
          `Email to c@example.com: curl ... -d '{"token":"cc.33"}'`,
          '',
        ].join('\n'),
      );
      expect(token('a@example.com').stdout).toBe('aa.11\n');
      expect(token('b@example.com').stdout).toBe('bb.22\n');
      expect(token('c@example.com').stdout).toBe('cc.33\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('against the compiled server on embedded defaults', () => {
    let cwd: string;
    let base: string;
    let serverLog: string;
    let server: ChildProcess;

    beforeAll(async () => {
      ensureBuilt();
      cwd = mkdtempSync(join(tmpdir(), 'aa-walk-'));
      serverLog = join(cwd, 'server.log');
      const port = await freePort();
      base = `http://127.0.0.1:${port}`;
      // The log goes straight to a file (no relay through this process), as a terminal would show it.
      const fd = openSync(serverLog, 'a');
      server = spawn(process.execPath, [MAIN_JS], {
        cwd,
        env: {
          PATH,
          PORT: String(port),
          HOST: '127.0.0.1',
          EMBEDDED_DATABASE_DIR: join(cwd, 'pgdata'),
        },
        stdio: ['ignore', fd, fd],
      });
      closeSync(fd);
      await waitForHttp(`${base}/health/ready`, 90_000);
    }, 240_000);

    afterAll(async () => {
      if (server && server.exitCode === null) {
        const exited = new Promise((resolve) => server.once('exit', resolve));
        server.kill('SIGTERM');
        const timer = setTimeout(() => server.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }
      if (cwd) rmSync(cwd, { recursive: true, force: true });
    }, 30_000);

    it('runs register -> verify -> login -> me -> chat -> stream -> conversations -> logout', async () => {
      const email = `walkthrough-${Date.now()}@example.com`;
      const run = await runWalkthrough(
        {
          BASE: base,
          EMAIL: email,
          SERVER_LOG: serverLog,
          TOKEN_FROM_LOG,
          VERIFY_TOKEN_CMD: 'node -e "$TOKEN_FROM_LOG" "$SERVER_LOG" "$EMAIL"',
        },
        90_000,
      );
      const serverTail = () => readFileSync(serverLog, 'utf8').split('\n').slice(-30).join('\n');
      expect({ ...run, serverTail: run.code === 0 ? '' : serverTail() }).toMatchObject({
        code: 0,
      });

      const out = steps(run.output);
      expect([...out.keys()]).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9']);
      const body = (step: string) => JSON.parse(out.get(step)![0]) as Record<string, unknown>;

      const registered = body('1');
      expect(registered).toMatchObject({ token_type: 'bearer', email_verified: false });
      expect(body('2')).toEqual({
        success: true,
        message: 'Email verified successfully.',
        data: null,
      });
      const login = body('3');
      expect(login).toMatchObject({ email_verified: true, user_id: registered.user_id });
      expect(body('4')).toMatchObject({
        success: true,
        data: { user_id: registered.user_id, token_payload: { email_verified: true } },
      });

      const chat = body('5');
      expect(chat.response).toContain('Hello from the walkthrough');
      expect(chat.conversation_id).toEqual(expect.any(String));

      const frames = out
        .get('6')!
        .filter((line) => line.startsWith('data: '))
        .map(
          (line) =>
            JSON.parse(line.slice('data: '.length)) as {
              chunk: string;
              conversation_id: string;
              is_complete: boolean;
              status?: string;
              run_id: string;
              event_id: string;
            },
        );
      expect(frames.length).toBeGreaterThan(1);
      expect(frames.every((frame) => frame.conversation_id === chat.conversation_id)).toBe(true);
      expect(frames[frames.length - 1]).toMatchObject({ is_complete: true, status: 'completed' });
      // One run, its frames numbered 1, 2, 3... (decision C11).
      expect(frames[0].run_id).toMatch(/^[0-9a-f-]{36}$/);
      expect(frames.every((frame) => frame.run_id === frames[0].run_id)).toBe(true);
      expect(frames.map((frame) => frame.event_id)).toEqual(
        frames.map((_frame, index) => String(index + 1)),
      );
      const streamed = frames.map((frame) => frame.chunk).join('');
      expect(streamed).toContain('And now streamed');
      expect(streamed).toContain('I remember 1 earlier message'); // the same conversation

      const conversations = JSON.parse(out.get('7')![0]) as Array<Record<string, unknown>>;
      expect(conversations).toEqual([
        expect.objectContaining({ conversation_id: chat.conversation_id, message_count: 4 }),
      ]);

      expect(body('8')).toEqual({
        success: true,
        message: 'Session revoked successfully.',
        data: { revoked: true },
      });
      const refused = out.get('9')!;
      expect(refused[refused.length - 1]).toBe('HTTP 401');
      expect(JSON.parse(refused[0])).toMatchObject({ success: false });
    }, 120_000);
  });
});
