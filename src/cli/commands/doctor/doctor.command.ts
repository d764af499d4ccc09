import { Command, Option } from 'nest-commander';
import { CliCommand, parseOutput } from '../../cli-command';
import { CliIo } from '../../cli-io';
import { formatTable } from '../../table';
import { DoctorChecks } from './doctor-checks.service';

const OUTPUTS = ['text', 'json'] as const;

/**
 * `doctor [--output text|json]`: which parts are embedded and what each one uses (as the server
 * resolves them from the config), then readiness and configuration checks; exit 1 when any fails.
 */
@Command({
  name: 'doctor',
  description: 'Show what each part uses (embedded or real); check Postgres, Redis, keys, Vault',
})
export class DoctorCommand extends CliCommand<{ output?: string }> {
  constructor(
    io: CliIo,
    private readonly checks: DoctorChecks,
  ) {
    super(io);
  }

  @Option({ flags: '-o, --output <format>', description: 'text (default) or json' })
  parseOutput(value: string): string {
    return parseOutput(value, OUTPUTS);
  }

  protected async execute(_params: string[], options: { output?: string }): Promise<void> {
    const parts = this.checks.parts();
    const results = await this.checks.run();
    const failed = results.filter((check) => check.status === 'fail');
    if (options.output === 'json') {
      this.io.json({ ok: failed.length === 0, parts, checks: results });
    } else {
      const uses = (part: (typeof parts)[number]) =>
        part.switch ? `${part.uses}; set ${part.switch} for the real one` : part.uses;
      this.io.out(
        formatTable(
          ['PART', 'MODE', 'USES'],
          parts.map((part) => [part.name, part.mode, uses(part)]),
        ),
      );
      this.io.out('');
      this.io.out(
        formatTable(
          ['CHECK', 'STATUS', 'LATENCY', 'DETAIL'],
          results.map((c) => [c.name, c.status.toUpperCase(), `${c.latency_ms}ms`, c.detail]),
        ),
      );
    }
    if (failed.length > 0) {
      throw new Error(`${failed.length} check(s) failed: ${failed.map((c) => c.name).join(', ')}`);
    }
  }
}
