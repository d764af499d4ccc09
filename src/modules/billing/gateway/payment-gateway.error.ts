/**
 * Why a Stripe call failed, from the caller's point of view:
 * - `rejected`: Stripe refused the request (invalid parameters, card declined, idempotency
 *   conflict): retrying the same request cannot help; answered 400.
 * - `unavailable`: Stripe could not be reached or kept failing after the retries, or refused our
 *   credentials: not the client's fault; answered 502.
 * - `config`: our configuration lacks something (price mapping, secret key); answered 400.
 */
export type PaymentGatewayErrorKind = 'rejected' | 'unavailable' | 'config';

/** A failed gateway operation with the reference's code and message. */
export class PaymentGatewayError extends Error {
  constructor(
    readonly operation: string,
    readonly kind: PaymentGatewayErrorKind,
    /** Stripe error code, else its type, else the class name (reference rule). */
    readonly code: string,
    message: string,
    readonly stripeStatus?: number,
    readonly stripeParam?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PaymentGatewayError';
  }
}
