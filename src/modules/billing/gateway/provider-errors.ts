import { BillingErrorCode, BillingException } from '../billing.errors';
import { PaymentGatewayError } from './payment-gateway.error';

/**
 * Gateway failures as HTTP errors: Stripe refusing the request is the client's 400 with the
 * reference message; Stripe unreachable or failing after retries is a 502 (not the client's
 * fault). Anything else is rethrown unchanged.
 */
export function toProviderException(error: unknown): unknown {
  if (!(error instanceof PaymentGatewayError)) return error;
  if (error.kind === 'unavailable') {
    return new BillingException(
      502,
      error.message,
      BillingErrorCode.PaymentProviderUnavailable,
      error,
    );
  }
  const code =
    error.kind === 'config'
      ? BillingErrorCode.ConfigMissing
      : BillingErrorCode.StripeRequestRejected;
  return new BillingException(400, error.message, code, error);
}

/** Runs a gateway call, converting its failure with `toProviderException`. */
export async function viaProvider<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toProviderException(error);
  }
}
