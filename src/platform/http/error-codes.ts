/** Codes of errors raised by the platform itself; feature modules declare their own enums. */
export enum PlatformErrorCode {
  BadRequest = 'bad_request',
  Unauthorized = 'unauthorized',
  Forbidden = 'forbidden',
  NotFound = 'not_found',
  MethodNotAllowed = 'method_not_allowed',
  Conflict = 'conflict',
  PayloadTooLarge = 'payload_too_large',
  UnsupportedMediaType = 'unsupported_media_type',
  ValidationError = 'validation_error',
  RateLimited = 'rate_limited',
  InvalidHost = 'invalid_host',
  Internal = 'internal_error',
  ServiceUnavailable = 'service_unavailable',
  BadGateway = 'bad_gateway',
}

/** Reason phrases used as the message of framework-level errors. */
export const STATUS_PHRASES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  423: 'Locked',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

const CODE_BY_STATUS: Record<number, PlatformErrorCode> = {
  400: PlatformErrorCode.BadRequest,
  401: PlatformErrorCode.Unauthorized,
  403: PlatformErrorCode.Forbidden,
  404: PlatformErrorCode.NotFound,
  405: PlatformErrorCode.MethodNotAllowed,
  409: PlatformErrorCode.Conflict,
  413: PlatformErrorCode.PayloadTooLarge,
  415: PlatformErrorCode.UnsupportedMediaType,
  422: PlatformErrorCode.ValidationError,
  429: PlatformErrorCode.RateLimited,
  502: PlatformErrorCode.BadGateway,
  503: PlatformErrorCode.ServiceUnavailable,
};

export function codeForStatus(status: number): string {
  return (
    CODE_BY_STATUS[status] ??
    (status >= 500 ? PlatformErrorCode.Internal : PlatformErrorCode.BadRequest)
  );
}
