import { Command } from 'nest-commander';
import { CliCommand } from '../cli-command';
import { CliIo } from '../cli-io';
import { StripeEventsListCommand } from './stripe-events-list.command';
import { StripeEventsReplayCommand } from './stripe-events-replay.command';

/** `stripe-events <list|replay>`; a bare invocation lists failed dispatches (reference). */
@Command({
  name: 'stripe-events',
  description: 'Inspect and replay Stripe webhook dispatches (see billing runbook)',
  subCommands: [StripeEventsListCommand, StripeEventsReplayCommand],
})
export class StripeEventsCommand extends CliCommand {
  constructor(
    io: CliIo,
    private readonly list: StripeEventsListCommand,
  ) {
    super(io);
  }

  protected async execute(params: string[]): Promise<void> {
    await this.list.run(params, {});
  }
}

/** The classes to append to CLI_COMMANDS (their module: StripeEventsCliModule). */
export const STRIPE_EVENTS_COMMANDS = [
  StripeEventsCommand,
  StripeEventsListCommand,
  StripeEventsReplayCommand,
];
