import { Injectable } from '@nestjs/common';

/**
 * Routes that read the raw request bytes themselves (signed webhooks): a body that is not valid
 * JSON must reach their handler (which answers with its own error after checking the signature)
 * instead of being rejected by the JSON parser with a 422. Feature modules register their paths.
 */
@Injectable()
export class RawBodyRoutes {
  private readonly paths = new Set<string>();

  add(path: string): void {
    this.paths.add(path);
  }

  has(path: string): boolean {
    return this.paths.has(path);
  }
}
