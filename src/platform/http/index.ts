export { AppException, type AppExceptionOptions } from './app-exception';
export { codeForStatus, PlatformErrorCode, STATUS_PHRASES } from './error-codes';
export { type ErrorEnvelope } from './error-envelope';
export { HttpPlatformModule } from './http-platform.module';
export { RequestValidationException } from './validation/request-validation.exception';
export { ToBool, ToInt, Trim } from './validation/transforms';
export { IsDateTime, isDateTime } from './validation/date-time';
export { MaxChars } from './validation/max-chars';
export { findTextIssues, parseStorableJson, storableText } from './validation/text-input';
export { UuidParamPipe } from './validation/uuid-param.pipe';
export type { ValidationIssue } from './validation/validation-issue';
export { success, SuccessResponse } from './success-response';
export { RawBodyRoutes } from './raw-body-routes';
export {
  decodeKeysetCursor,
  encodeKeysetCursor,
  keysetTimestampSql,
  type KeysetCursor,
} from './pagination/keyset-cursor';
export {
  DEFAULT_PAGE_SIZE,
  keysetPage,
  MAX_PAGE_SIZE,
  PageQuery,
  type KeysetPage,
} from './pagination/keyset-page';
