import {
  asArray,
  asInt,
  asObject,
  asString,
  epochToDate,
  metadataOf,
  refId,
  tenantFromMetadata,
  type JsonObject,
} from '../gateway/stripe-objects';

export interface MeteredLine {
  /** Ledger idempotency key: the line id, else `<invoice id>:<feature key>` (reference). */
  key: string;
  featureKey: string;
  quantity: number;
  periodStart: Date | null;
  periodEnd: Date | null;
  amountCents: number | null;
}

export interface StripeInvoiceState {
  id: string;
  status: string;
  amountDueCents: number;
  /** Raw Stripe currency (normally lower-case) as the stream carries it. */
  currency: string;
  periodStart: Date | null;
  periodEnd: Date | null;
  hostedInvoiceUrl: string | null;
  billingReason: string | null;
  collectionMethod: string | null;
  description: string | null;
  customerId: string | null;
  subscriptionId: string | null;
  /** Tenant named by invoice, subscription-details or line metadata, in that order. */
  metadataTenant: string | null;
  lines: MeteredLine[];
}

/** Reads a Stripe Invoice of any API version. */
export function readStripeInvoice(value: unknown): StripeInvoiceState | null {
  const invoice = asObject(value);
  const id = asString(invoice?.id);
  if (!invoice || !id) return null;
  const lines = asArray(asObject(invoice.lines)?.data)
    .map(asObject)
    .filter((line): line is JsonObject => line !== null);
  const metered = lines
    .map((line) => readMeteredLine(line, id))
    .filter((line): line is MeteredLine => line !== null);
  const amountDue = asInt(invoice.amount_due);
  const details =
    asObject(asObject(invoice.parent)?.subscription_details) ??
    asObject(invoice.subscription_details);
  return {
    id,
    status: asString(invoice.status) ?? 'unknown',
    amountDueCents: Math.max(amountDue ? amountDue : (asInt(invoice.total) ?? 0), 0),
    currency: asString(invoice.currency) ?? 'usd',
    periodStart: epochToDate(invoice.period_start) ?? metered[0]?.periodStart ?? null,
    periodEnd: epochToDate(invoice.period_end) ?? metered[0]?.periodEnd ?? null,
    hostedInvoiceUrl: asString(invoice.hosted_invoice_url) ?? asString(invoice.invoice_pdf),
    billingReason: asString(invoice.billing_reason),
    collectionMethod: asString(invoice.collection_method),
    description: asString(invoice.description),
    customerId: refId(invoice.customer),
    subscriptionId: refId(details?.subscription) ?? refId(invoice.subscription),
    metadataTenant:
      tenantFromMetadata(metadataOf(invoice.metadata)) ??
      tenantFromMetadata(metadataOf(details?.metadata)) ??
      lines.map((line) => tenantFromMetadata(metadataOf(line.metadata))).find(Boolean) ??
      null,
    lines: metered,
  };
}

/** Reference metered-line rule; the price may sit on the line or under `pricing` (basil+). */
function readMeteredLine(line: JsonObject, invoiceId: string): MeteredLine | null {
  const price =
    asObject(line.price) ?? asObject(asObject(asObject(line.pricing)?.price_details)?.price);
  const usageType = asString(asObject(price?.recurring)?.usage_type);
  if (usageType !== 'metered' && !line.usage_record_summary) return null;
  const metadata = { ...metadataOf(line.metadata), ...metadataOf(price?.metadata) };
  const featureKey =
    asString(metadata.feature_key) ??
    asString(metadata.plan_feature) ??
    asString(price?.nickname) ??
    asString(line.description);
  const quantity = asInt(line.quantity);
  if (!featureKey || !quantity) return null;
  const period = asObject(line.period);
  return {
    key: (asString(line.id) ?? `${invoiceId}:${featureKey}`).slice(0, 128),
    featureKey: featureKey.slice(0, 64),
    quantity,
    periodStart: epochToDate(period?.start),
    periodEnd: epochToDate(period?.end),
    amountCents: asInt(line.amount) ?? 0,
  };
}
