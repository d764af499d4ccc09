/**
 * Where CLI output goes and which exit code the run ends with. Commands write results to `out`
 * (machine-readable: JSON, env lines, tables) and failures to `err` as `error: <message>`; logs
 * go to stderr through the logger, never to stdout. Tests pass a capturing instance.
 */
export class CliIo {
  exitCode = 0;

  constructor(
    private readonly writeOut: (text: string) => void = (text) => void process.stdout.write(text),
    private readonly writeErr: (text: string) => void = (text) => void process.stderr.write(text),
  ) {}

  /** Writes `text` to stdout, with a trailing newline. */
  out(text: string): void {
    this.writeOut(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** Pretty JSON (2-space, like the reference CLI). */
  json(value: unknown): void {
    this.out(JSON.stringify(value, null, 2));
  }

  /** Raw stderr output (commander's own messages already end with a newline). */
  err(text: string): void {
    this.writeErr(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** `error: <message>` on stderr and a non-zero exit code. */
  fail(error: unknown, exitCode = 1): void {
    const message = error instanceof Error ? error.message : String(error);
    this.err(`error: ${message}`);
    this.exitCode = Math.max(this.exitCode, exitCode);
  }
}

/** A CliIo that keeps what was written (tests). */
export class CapturingCliIo extends CliIo {
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];

  constructor() {
    super(
      (text) => this.stdout.push(text),
      (text) => this.stderr.push(text),
    );
  }

  get output(): string {
    return this.stdout.join('');
  }

  get errors(): string {
    return this.stderr.join('');
  }
}
