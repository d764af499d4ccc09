import { HttpException } from '@nestjs/common';

export interface AppExceptionOptions {
  /** Stable machine-readable code (`not_found`, `invalid_credentials`, ...). */
  code: string;
  /** Headers set on the response; the reference also echoes them as the envelope `details`. */
  headers?: Record<string, string>;
  /** Explicit envelope `details` (validation errors); defaults to the headers or null. */
  details?: unknown;
  /** Envelope `error` when it differs from the message (validation uses `ValidationError`). */
  error?: string;
  cause?: unknown;
}

/**
 * Base of every error the application raises on purpose. The global filter renders it as the
 * envelope `{success:false, error, message, details, code, request_id}` with `error` and
 * `message` both holding the human detail (reference wire contract).
 */
export class AppException extends HttpException {
  readonly code: string;
  readonly headers: Record<string, string>;
  readonly details: unknown;
  readonly error: string;

  constructor(status: number, message: string, options: AppExceptionOptions) {
    super(message, status, { cause: options.cause });
    this.code = options.code;
    this.headers = options.headers ?? {};
    this.details = options.details;
    this.error = options.error ?? message;
  }
}
