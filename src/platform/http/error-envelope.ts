import { HttpException } from '@nestjs/common';
import { AppException } from './app-exception';
import { codeForStatus, PlatformErrorCode, STATUS_PHRASES } from './error-codes';

/** Wire shape of every error response (decision P2). */
export interface ErrorEnvelope {
  success: false;
  error: string;
  message: string;
  details: unknown;
  code: string;
  request_id: string | null;
}

export interface RenderedError {
  status: number;
  headers: Record<string, string>;
  body: ErrorEnvelope;
  /** Unexpected failures are logged with their stack; expected ones are not. */
  unexpected: boolean;
}

function envelope(
  error: string,
  message: string,
  details: unknown,
  code: string,
  requestId: string | null,
): ErrorEnvelope {
  return { success: false, error, message, details, code, request_id: requestId };
}

function phrase(status: number): string {
  return STATUS_PHRASES[status] ?? 'Error';
}

function plain(
  status: number,
  message: string,
  code: string,
  requestId: string | null,
): RenderedError {
  return {
    status,
    headers: {},
    body: envelope(message, message, null, code, requestId),
    unexpected: false,
  };
}

export function renderAppException(error: AppException, requestId: string | null): RenderedError {
  const headers = error.headers;
  const details =
    error.details !== undefined ? error.details : Object.keys(headers).length > 0 ? headers : null;
  return {
    status: error.getStatus(),
    headers,
    body: envelope(error.error, error.message, details, error.code, requestId),
    unexpected: false,
  };
}

/** Nest's own HttpExceptions (thrown by the framework or libraries). */
export function renderHttpException(error: HttpException, requestId: string | null): RenderedError {
  const status = error.getStatus();
  const response = error.getResponse();
  let message = phrase(status);
  if (typeof response === 'string') message = response;
  else if (response && typeof response === 'object') {
    const candidate = (response as { message?: unknown }).message;
    if (typeof candidate === 'string') message = candidate;
  }
  const unexpected = status >= 500;
  if (unexpected) message = phrase(status);
  return {
    status,
    headers: {},
    body: envelope(message, message, null, codeForStatus(status), requestId),
    unexpected,
  };
}

export function renderUnexpected(requestId: string | null): RenderedError {
  return {
    ...plain(500, 'Internal Server Error', PlatformErrorCode.Internal, requestId),
    unexpected: true,
  };
}

export function renderError(error: unknown, requestId: string | null): RenderedError {
  if (error instanceof AppException) return renderAppException(error, requestId);
  if (error instanceof HttpException) return renderHttpException(error, requestId);
  return renderUnexpected(requestId);
}
