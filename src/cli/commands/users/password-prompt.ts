import { Injectable } from '@nestjs/common';
import { createInterface } from 'node:readline';

/**
 * Asks for a password on the terminal without echoing it (stderr, so stdout stays the result).
 * A provider, so tests replace it.
 */
@Injectable()
export class PasswordPrompt {
  get interactive(): boolean {
    return Boolean(process.stdin.isTTY);
  }

  ask(question: string): Promise<string> {
    return new Promise((resolve) => {
      const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
      const output = rl as unknown as { _writeToOutput: (text: string) => void };
      let muted = false;
      output._writeToOutput = (text: string) => {
        if (!muted) process.stderr.write(text);
      };
      rl.question(question, (answer) => {
        process.stderr.write('\n');
        rl.close();
        resolve(answer);
      });
      muted = true;
    });
  }
}
