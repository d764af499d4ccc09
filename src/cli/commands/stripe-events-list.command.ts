import { Option, SubCommand } from 'nest-commander';
import { StripeEventReplayService, type DispatchStatus } from '../../modules/webhooks';
import { CliCommand, parseOutput } from '../cli-command';
import { CliIo } from '../cli-io';
import { parsePositiveInt, parseStatus } from './stripe-events-options';

const OUTPUTS = ['text', 'json'] as const;

export interface ListOptions {
  status?: DispatchStatus | 'all';
  handler?: string;
  limit?: number;
  page?: number;
  output?: string;
}

/**
 * `stripe-events list [--status failed|dead|...|all] [--handler <name>] [--limit 20] [--page 1]`:
 * dispatch rows newest first, one tab-separated line each (reference format) or JSON. Without
 * `--handler` every handler is listed.
 */
@SubCommand({ name: 'list', description: 'List Stripe event dispatches (default: failed)' })
export class StripeEventsListCommand extends CliCommand {
  constructor(
    io: CliIo,
    private readonly replay: StripeEventReplayService,
  ) {
    super(io);
  }

  @Option({
    flags: '--status <status>',
    description: 'pending|in_progress|failed|completed|dead|all (default failed)',
  })
  parseStatus(value: string): DispatchStatus | 'all' {
    return parseStatus(value, true);
  }

  @Option({ flags: '--handler <name>', description: 'Only this handler (default: every handler)' })
  parseHandler(value: string): string {
    return value.trim();
  }

  @Option({ flags: '--limit <n>', description: 'Rows per page (default 20)' })
  parseLimit(value: string): number {
    return parsePositiveInt(value, '--limit');
  }

  @Option({ flags: '--page <n>', description: '1-based page (default 1)' })
  parsePage(value: string): number {
    return parsePositiveInt(value, '--page');
  }

  @Option({ flags: '-o, --output <format>', description: 'text (default) or json' })
  parseOutput(value: string): string {
    return parseOutput(value, OUTPUTS);
  }

  protected async execute(_params: string[], options: ListOptions): Promise<void> {
    const status = options.status ?? 'failed';
    const limit = options.limit ?? 20;
    const page = options.page ?? 1;
    const rows = await this.replay.list({
      status: status === 'all' ? undefined : status,
      handler: options.handler || undefined,
      limit,
      page,
    });
    if (options.output === 'json') {
      this.io.json({ page, limit, dispatches: rows });
      return;
    }
    if (rows.length === 0) {
      this.io.out('No dispatches found.');
      return;
    }
    this.io.out(`Page ${page} (limit ${limit})`);
    for (const row of rows) {
      const error = row.lastError ? [`error=${row.lastError.split('\n')[0].slice(0, 200)}`] : [];
      this.io.out(
        [
          row.id,
          row.status,
          `handler=${row.handler}`,
          `attempts=${row.attempts}`,
          `event=${row.stripeEventId} (${row.eventType})`,
          `tenant=${row.tenantHint ?? 'n/a'}`,
          ...error,
        ].join('\t'),
      );
    }
  }
}
