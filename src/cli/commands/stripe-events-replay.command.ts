import { Option, SubCommand } from 'nest-commander';
import {
  StripeEventReplayService,
  type DispatchStatus,
  type ReplayTarget,
} from '../../modules/webhooks';
import { CliCommand } from '../cli-command';
import { CliIo } from '../cli-io';
import { collect, parsePositiveInt, parseStatus } from './stripe-events-options';
import { StripeEventsPrompt } from './stripe-events.prompt';

export interface ReplayOptions {
  dispatchId?: string[];
  eventId?: string[];
  status?: DispatchStatus;
  handler?: string;
  limit?: number;
  yes?: boolean;
}

const PREVIEW = 5;

/**
 * `stripe-events replay [--dispatch-id <uuid>...] [--event-id <evt_...>...] [--status <s>
 * --limit 5] [--handler <name>] [--yes]`: an event id's handler comes from its type; confirmation
 * unless `--yes`; each target is replayed like a live dispatch (stream publish included); exit
 * code 1 when any replay fails.
 */
@SubCommand({ name: 'replay', description: 'Replay Stripe event dispatches' })
export class StripeEventsReplayCommand extends CliCommand {
  constructor(
    io: CliIo,
    private readonly replay: StripeEventReplayService,
    private readonly prompt: StripeEventsPrompt,
  ) {
    super(io);
  }

  @Option({ flags: '--dispatch-id <uuid>', description: 'Dispatch id (repeatable)' })
  parseDispatchId(value: string, previous?: string[]): string[] {
    return collect(value.trim(), previous);
  }

  @Option({ flags: '--event-id <evt>', description: 'Stripe event id (repeatable)' })
  parseEventId(value: string, previous?: string[]): string[] {
    return collect(value.trim(), previous);
  }

  @Option({ flags: '--status <status>', description: 'Replay rows in this status' })
  parseStatus(value: string): DispatchStatus {
    return parseStatus(value, false) as DispatchStatus;
  }

  @Option({ flags: '--handler <name>', description: 'With --status: only this handler' })
  parseHandler(value: string): string {
    return value.trim();
  }

  @Option({ flags: '--limit <n>', description: 'With --status: how many rows (default 5)' })
  parseLimit(value: string): number {
    return parsePositiveInt(value, '--limit');
  }

  @Option({ flags: '--yes', description: 'Do not ask for confirmation' })
  parseYes(): boolean {
    return true;
  }

  protected async execute(_params: string[], options: ReplayOptions): Promise<void> {
    const { targets, warnings } = await this.replay.select({
      dispatchIds: options.dispatchId,
      eventIds: options.eventId,
      status: options.status,
      handler: options.handler || undefined,
      limit: options.limit ?? 5,
    });
    for (const warning of warnings) this.io.err(`warning: ${warning}`);
    if (targets.length === 0) {
      this.io.out('No dispatches to replay.');
      return;
    }
    if (!options.yes && !(await this.confirmed(targets))) {
      this.io.out('Aborted by user.');
      return;
    }
    let failures = 0;
    for (const target of targets) {
      const outcome = await this.replay.replay(target);
      if (outcome.ok) {
        const at = outcome.processedAt?.toISOString() ?? 'n/a';
        this.io.out(
          `Replayed dispatch ${target.dispatchId} (handler=${target.handler}); processed_at=${at}`,
        );
        continue;
      }
      failures += 1;
      this.io.out(
        `Failed to replay dispatch ${target.dispatchId} (handler=${target.handler}): ${outcome.status}: ${outcome.error ?? 'unknown error'}`,
      );
    }
    if (failures > 0) this.io.fail(`${failures} of ${targets.length} replay(s) failed`);
  }

  private async confirmed(targets: ReplayTarget[]): Promise<boolean> {
    this.io.out(`About to replay ${targets.length} dispatch(es):`);
    for (const target of targets.slice(0, PREVIEW)) {
      this.io.out(`  ${target.dispatchId} (handler=${target.handler})`);
    }
    if (targets.length > PREVIEW) this.io.out(`  ...and ${targets.length - PREVIEW} more`);
    return this.prompt.confirm('Proceed?');
  }
}
