import { AppException } from '../../platform/http/app-exception';

/** Stable machine codes of webhook intake failures; texts stay the reference's. */
export enum WebhookErrorCode {
  SecretMissing = 'webhook_secret_missing',
  MissingSignature = 'missing_signature',
  InvalidPayload = 'invalid_payload',
  InvalidSignature = 'invalid_signature',
  LivemodeMismatch = 'livemode_mismatch',
}

export class WebhookException extends AppException {
  constructor(status: number, message: string, code: WebhookErrorCode) {
    super(status, message, { code });
  }
}
