import { Injectable } from '@nestjs/common';
import { createInterface } from 'node:readline/promises';

/**
 * The confirmation prompt of `stripe-events replay` (`Proceed? [y/N]:`; only `y`/`yes`
 * proceed). A provider of its own so tests and scripts can answer it.
 */
@Injectable()
export class StripeEventsPrompt {
  async confirm(question: string): Promise<boolean> {
    const prompt = createInterface({ input: process.stdin, output: process.stderr });
    try {
      const answer = (await prompt.question(`${question} [y/N]: `)).trim().toLowerCase();
      return answer === 'y' || answer === 'yes';
    } finally {
      prompt.close();
    }
  }
}
