import { createHmac } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';
import {
  describeError,
  flattenHeaders,
  makeId,
  readBody,
  RequestLog,
  sendJson,
  startHttpServer,
} from './http-helpers';
import { canonicalForm, FormObject, FormValue, parseStripeForm } from './stripe-form';

/**
 * A Stripe API subset (customers, subscriptions, prices, billing meter events, Checkout Sessions in
 * subscription mode, Customer Portal sessions) speaking Stripe's
 * wire protocol: form-encoded bodies, Bearer auth, Stripe-style errors, Idempotency-Key replay.
 * Point stripe-node at it with `new Stripe(key, { host, port, protocol: 'http' })`.
 *
 * Choices where Stripe's behaviour is not fully specified:
 * - Idempotency: only POSTs are idempotent (as in Stripe; keys on GET/DELETE are ignored). Keys
 *   are scoped to the API key and kept 24h. Results are saved for successes and for errors raised
 *   while executing (e.g. `resource_missing`, duplicate meter event); parameter validation errors,
 *   auth errors, unknown URLs and injected failures are never saved, so a retry re-executes.
 * - Injected failures (`failNext`) fire before the idempotency layer, like a failure in front of
 *   the API, so stripe-node's retry with the same Idempotency-Key then succeeds.
 * - Meter events: a second event with an `identifier` already seen in the last 24h is rejected with
 *   400 `invalid_request_error`, code `resource_already_exists`, param `identifier`. The customer
 *   is not checked (Stripe reports unknown customers asynchronously, not on create).
 * - Unknown params are accepted and ignored; required params and types are checked.
 * - `expand` supports `customer` on subscriptions; other expand paths are accepted and ignored.
 * - Subscriptions need prices that exist (seed them, or create via `POST /v1/prices`).
 * - Checkout Sessions: only `mode=subscription` is executed; nobody pays on a hosted page, so a test
 *   calls `completeCheckoutSession(id)`, which does what a paying customer would cause: the
 *   customer (if the session had none), the subscription (trialing with
 *   `subscription_data[trial_period_days]`, else active), the session `complete`, and the
 *   `customer.subscription.created` and `checkout.session.completed` events, in Stripe's order.
 * - Portal sessions need an existing customer; `configuration` is a fixed default `bpc_...`.
 */

export type StripeInterval = 'day' | 'week' | 'month' | 'year';

export interface StripeFakePriceSeed {
  id?: string;
  product?: string;
  currency?: string;
  unit_amount?: number | null;
  lookup_key?: string | null;
  nickname?: string | null;
  active?: boolean;
  metadata?: Record<string, string>;
  /** `null` makes a one-time price. Default: monthly, licensed. */
  recurring?: {
    interval?: StripeInterval;
    interval_count?: number;
    usage_type?: 'licensed' | 'metered';
    meter?: string | null;
    trial_period_days?: number | null;
  } | null;
}

export interface StripeFakePrice {
  id: string;
  object: 'price';
  active: boolean;
  billing_scheme: 'per_unit';
  created: number;
  currency: string;
  custom_unit_amount: null;
  livemode: false;
  lookup_key: string | null;
  metadata: Record<string, string>;
  nickname: string | null;
  product: string;
  recurring: {
    interval: StripeInterval;
    interval_count: number;
    meter: string | null;
    trial_period_days: number | null;
    usage_type: 'licensed' | 'metered';
  } | null;
  tax_behavior: 'unspecified';
  tiers_mode: null;
  transform_quantity: null;
  type: 'recurring' | 'one_time';
  unit_amount: number | null;
  unit_amount_decimal: string | null;
}

export interface StripeFakeCustomer {
  id: string;
  object: 'customer';
  address: null;
  balance: number;
  created: number;
  currency: string | null;
  default_source: null;
  delinquent: boolean;
  description: string | null;
  discount: null;
  email: string | null;
  invoice_prefix: string;
  invoice_settings: {
    custom_fields: null;
    default_payment_method: string | null;
    footer: null;
    rendering_options: null;
  };
  livemode: false;
  metadata: Record<string, string>;
  name: string | null;
  next_invoice_sequence: number;
  phone: string | null;
  preferred_locales: string[];
  shipping: null;
  tax_exempt: 'none';
  test_clock: null;
}

export interface StripeFakeSubscriptionItem {
  id: string;
  object: 'subscription_item';
  billing_thresholds: null;
  created: number;
  current_period_end: number;
  current_period_start: number;
  discounts: string[];
  metadata: Record<string, string>;
  plan: Record<string, unknown>;
  price: StripeFakePrice;
  /** Absent for metered prices, as in Stripe. */
  quantity?: number;
  subscription: string;
  tax_rates: unknown[];
}

export type StripeSubscriptionStatus =
  | 'active'
  | 'trialing'
  | 'canceled'
  | 'incomplete'
  | 'incomplete_expired'
  | 'past_due'
  | 'unpaid'
  | 'paused';

export interface StripeFakeSubscription {
  id: string;
  object: 'subscription';
  application: null;
  application_fee_percent: null;
  automatic_tax: { disabled_reason: null; enabled: false; liability: null };
  billing_cycle_anchor: number;
  billing_cycle_anchor_config: null;
  billing_mode: { type: 'classic' };
  billing_thresholds: null;
  cancel_at: number | null;
  cancel_at_period_end: boolean;
  canceled_at: number | null;
  cancellation_details: { comment: string | null; feedback: string | null; reason: string | null };
  collection_method: 'charge_automatically' | 'send_invoice';
  created: number;
  currency: string;
  /** Kept on the subscription for older API versions; newer ones read it from items. */
  current_period_end: number;
  current_period_start: number;
  customer: string;
  days_until_due: number | null;
  default_payment_method: string | null;
  default_source: null;
  default_tax_rates: unknown[];
  description: string | null;
  discounts: string[];
  ended_at: number | null;
  invoice_settings: { account_tax_ids: null; issuer: { type: 'self' } };
  items: {
    object: 'list';
    data: StripeFakeSubscriptionItem[];
    has_more: false;
    total_count: number;
    url: string;
  };
  latest_invoice: null;
  livemode: false;
  metadata: Record<string, string>;
  next_pending_invoice_item_invoice: null;
  on_behalf_of: null;
  pause_collection: null;
  payment_settings: {
    payment_method_options: null;
    payment_method_types: null;
    save_default_payment_method: 'off';
  };
  pending_invoice_item_interval: null;
  pending_setup_intent: null;
  pending_update: null;
  schedule: null;
  start_date: number;
  status: StripeSubscriptionStatus;
  test_clock: null;
  transfer_data: null;
  trial_end: number | null;
  trial_settings: { end_behavior: { missing_payment_method: 'create_invoice' } };
  trial_start: number | null;
}

export interface StripeFakeMeterEvent {
  object: 'billing.meter_event';
  created: number;
  event_name: string;
  identifier: string;
  livemode: false;
  payload: Record<string, string>;
  timestamp: number;
}

export interface StripeFakeEvent {
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  data: { object: unknown; previous_attributes?: Record<string, unknown> };
  livemode: false;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
  type: string;
}

export interface StripeFakeCheckoutSession {
  id: string;
  object: 'checkout.session';
  after_expiration: null;
  allow_promotion_codes: boolean | null;
  amount_subtotal: number | null;
  amount_total: number | null;
  automatic_tax: { enabled: false; liability: null; status: null };
  billing_address_collection: string | null;
  cancel_url: string | null;
  client_reference_id: string | null;
  client_secret: null;
  created: number;
  currency: string | null;
  customer: string | null;
  customer_creation: 'always' | 'if_required' | null;
  customer_details: { email: string | null } | null;
  customer_email: string | null;
  expires_at: number;
  invoice: null;
  livemode: false;
  locale: string | null;
  metadata: Record<string, string>;
  mode: 'subscription' | 'payment' | 'setup';
  payment_intent: null;
  payment_link: null;
  payment_method_collection: 'always' | 'if_required';
  payment_status: 'paid' | 'unpaid' | 'no_payment_required';
  status: 'open' | 'complete' | 'expired';
  submit_type: null;
  subscription: string | null;
  success_url: string | null;
  ui_mode: 'hosted';
  url: string | null;
}

/** What a Checkout Session was created with (kept by the fake, not part of the session object). */
export interface StripeFakeCheckoutRequest {
  lineItems: { price: string; quantity: number }[];
  subscriptionData: { trialPeriodDays: number | null; metadata: Record<string, string> };
}

export interface StripeFakePortalSession {
  id: string;
  object: 'billing_portal.session';
  configuration: string;
  created: number;
  customer: string;
  flow: null;
  livemode: false;
  locale: string | null;
  on_behalf_of: null;
  return_url: string | null;
  url: string;
}

export interface StripeFakeCheckoutCompletion {
  session: StripeFakeCheckoutSession;
  subscription: StripeFakeSubscription;
  /** `customer.subscription.created` (Stripe emits it before the session completes). */
  subscriptionCreated: StripeFakeEvent;
  /** `checkout.session.completed`. */
  checkoutCompleted: StripeFakeEvent;
}

export interface StripeFakeFailure {
  status: number;
  /** Stripe error type: `api_error`, `invalid_request_error`, `card_error`, `rate_limit_error`, ... */
  type: string;
  code?: string;
  message?: string;
  param?: string;
  declineCode?: string;
  /** Sets `Stripe-Should-Retry`, which stripe-node obeys over its own status-based rule. */
  shouldRetry?: boolean;
}

export interface StripeFakeFailureScope {
  method?: string;
  /** Exact path (`/v1/subscriptions`) or a pattern tested against the path. */
  path?: string | RegExp;
}

export interface StripeFakeRequest {
  seq: number;
  method: string;
  path: string;
  /** Parsed query string (GET params such as `expand[0]=customer`). */
  query: FormObject;
  /** Parsed form body. */
  params: FormObject;
  rawBody: string;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  idempotencyKey: string | undefined;
  stripeVersion: string | undefined;
  apiKey: string | undefined;
  status: number | undefined;
  /** The stored response of an earlier request was replayed. */
  replayed: boolean;
  /** Answered by a `failNext` rule. */
  injected: boolean;
  responseBody: unknown;
  receivedAt: number;
}

export interface StripeWebhookDelivery {
  eventId: string;
  type: string;
  url: string;
  status: number | undefined;
  error: string | undefined;
}

export interface StripeFakeOptions {
  /** When set, only this key is accepted; otherwise any `sk_...`/`rk_...` key is. */
  apiKey?: string;
  /** Clock in epoch milliseconds (default `Date.now`), e.g. to test period ends. */
  now?: () => number;
  /** Prices available from the start (also available after `reset()`). */
  prices?: StripeFakePriceSeed[];
  /** Version reported when a request sends no `Stripe-Version`. */
  defaultApiVersion?: string;
  maxRecordedRequests?: number;
  /** Deliver every emitted event to this endpoint, signed like Stripe does. */
  webhook?: { url: string; secret: string };
}

export interface StripeFake {
  url: string;
  host: '127.0.0.1';
  port: number;
  protocol: 'http';
  readonly requests: readonly StripeFakeRequest[];
  lastRequest(): StripeFakeRequest | undefined;
  /** Requests matching a method and path (exact string or pattern). */
  requestsTo(method: string, path: string | RegExp): StripeFakeRequest[];
  /** The next `count` matching requests fail with `failure` (default: 500 `api_error`). */
  failNext(count?: number, failure?: StripeFakeFailure, scope?: StripeFakeFailureScope): void;
  seedPrice(seed?: StripeFakePriceSeed): StripeFakePrice;
  seedCustomer(fields?: {
    email?: string;
    name?: string;
    metadata?: Record<string, string>;
  }): StripeFakeCustomer;
  customers(): StripeFakeCustomer[];
  subscriptions(): StripeFakeSubscription[];
  prices(): StripeFakePrice[];
  meterEvents(): StripeFakeMeterEvent[];
  checkoutSessions(): StripeFakeCheckoutSession[];
  getCheckoutSession(id: string): StripeFakeCheckoutSession | undefined;
  /** Line items and subscription_data a Checkout Session was created with. */
  checkoutRequestOf(id: string): StripeFakeCheckoutRequest | undefined;
  portalSessions(): StripeFakePortalSession[];
  /**
   * Completes an open subscription-mode Checkout Session as a paying customer would: creates the
   * customer (if none), the subscription (session price, quantity, subscription metadata, trial),
   * marks the session complete and returns both events, for a test to post to a webhook.
   */
  completeCheckoutSession(id: string): StripeFakeCheckoutCompletion;
  getCustomer(id: string): StripeFakeCustomer | undefined;
  getSubscription(id: string): StripeFakeSubscription | undefined;
  /**
   * Changes a subscription behind the app's back (e.g. `status: 'past_due'`) and emits
   * `customer.subscription.updated`, as a dunning transition in Stripe would.
   */
  updateSubscription(
    id: string,
    changes: Partial<
      Pick<
        StripeFakeSubscription,
        | 'status'
        | 'cancel_at_period_end'
        | 'cancel_at'
        | 'metadata'
        | 'current_period_start'
        | 'current_period_end'
      >
    >,
  ): StripeFakeSubscription;
  /** Events Stripe would have emitted for the changes so far, oldest first. */
  events(): StripeFakeEvent[];
  /** Builds (and records) an event for any object, e.g. `invoice.payment_failed`. */
  createEvent(
    type: string,
    object: unknown,
    previousAttributes?: Record<string, unknown>,
  ): StripeFakeEvent;
  /** POSTs the event to a webhook endpoint with a valid `Stripe-Signature`. */
  deliverEvent(
    event: StripeFakeEvent,
    endpoint: { url: string; secret: string },
  ): Promise<StripeWebhookDelivery>;
  setWebhookEndpoint(endpoint: { url: string; secret: string } | undefined): void;
  readonly webhookDeliveries: readonly StripeWebhookDelivery[];
  /** Clears state, recordings, rules and idempotency keys; re-seeds the option prices. */
  reset(): void;
  close(): Promise<void>;
}

const DEFAULT_API_VERSION = '2026-10-28.endive';
const DAY = 24 * 60 * 60;

class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly code?: string,
    readonly param?: string,
    /** Validation errors happen before execution, so Stripe does not store them for idempotency. */
    readonly storeIdempotent = true,
  ) {
    super(message);
  }
}

function invalid(message: string, param: string, code = 'parameter_invalid'): StripeApiError {
  return new StripeApiError(400, 'invalid_request_error', message, code, param, false);
}

function missingParam(param: string): StripeApiError {
  return invalid(`Missing required param: ${param}.`, param, 'parameter_missing');
}

function noSuch(kind: string, id: string, param: string, status = 404): StripeApiError {
  return new StripeApiError(
    status,
    'invalid_request_error',
    `No such ${kind}: '${id}'`,
    'resource_missing',
    param,
  );
}

function errorBody(error: {
  type: string;
  message: string;
  code?: string;
  param?: string;
  declineCode?: string;
}): Record<string, unknown> {
  return {
    error: {
      ...(error.code
        ? {
            code: error.code,
            doc_url: `https://stripe.com/docs/error-codes/${error.code.replace(/_/g, '-')}`,
          }
        : {}),
      ...(error.declineCode ? { decline_code: error.declineCode } : {}),
      message: error.message,
      ...(error.param ? { param: error.param } : {}),
      request_log_url: 'https://dashboard.stripe.com/test/logs',
      type: error.type,
    },
  };
}

// ----- typed param access -------------------------------------------------------------------

function str(params: FormObject, key: string): string | undefined {
  const value = params[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalid(`Invalid string: ${key} must be a string.`, key);
  return value;
}

function int(params: FormObject, key: string, param = key): number | undefined {
  const value = str(params, key);
  if (value === undefined || value === '') return undefined;
  if (!/^-?\d+$/.test(value))
    throw invalid(`Invalid integer: ${value}`, param, 'parameter_invalid_integer');
  return Number(value);
}

function bool(params: FormObject, key: string): boolean | undefined {
  const value = str(params, key);
  if (value === undefined) return undefined;
  if (value !== 'true' && value !== 'false') throw invalid(`Invalid boolean: ${value}`, key);
  return value === 'true';
}

function obj(params: FormObject, key: string): FormObject | undefined {
  const value = params[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || Array.isArray(value))
    throw invalid(`Invalid hash: ${key} must be a hash.`, key);
  return value;
}

function list(params: FormObject, key: string): FormValue[] {
  const value = params[key];
  if (value === undefined || value === '') return [];
  if (Array.isArray(value)) return value;
  throw invalid(`Invalid array: ${key} must be an array.`, key);
}

function expandList(params: FormObject): string[] {
  return list(params, 'expand').filter((v): v is string => typeof v === 'string');
}

/** Stripe merges metadata; an empty value unsets a key and `metadata=` clears all. */
function mergeMetadata(
  current: Record<string, string>,
  params: FormObject,
  key = 'metadata',
): Record<string, string> {
  const value = params[key];
  if (value === undefined) return current;
  if (value === '') return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw invalid('Invalid hash', key);
  const next = { ...current };
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw invalid(`Invalid metadata value for ${k}`, `${key}[${k}]`);
    if (v === '') delete next[k];
    else next[k] = v;
  }
  return next;
}

function nullableStr(params: FormObject, key: string, current: string | null): string | null {
  const value = str(params, key);
  if (value === undefined) return current;
  return value === '' ? null : value;
}

/** Calendar arithmetic in UTC, clamping to month end (Jan 31 + 1 month = Feb 28/29) like Stripe. */
export function addInterval(epochSeconds: number, interval: StripeInterval, count: number): number {
  const d = new Date(epochSeconds * 1000);
  if (interval === 'day') return epochSeconds + count * DAY;
  if (interval === 'week') return epochSeconds + count * 7 * DAY;
  const months = interval === 'year' ? 12 * count : count;
  const targetMonth = d.getUTCMonth() + months;
  const year = d.getUTCFullYear() + Math.floor(targetMonth / 12);
  const month = ((targetMonth % 12) + 12) % 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const result = Date.UTC(
    year,
    month,
    Math.min(d.getUTCDate(), lastDay),
    d.getUTCHours(),
    d.getUTCMinutes(),
    d.getUTCSeconds(),
  );
  return Math.floor(result / 1000);
}

function planOf(price: StripeFakePrice): Record<string, unknown> {
  return {
    id: price.id,
    object: 'plan',
    active: price.active,
    amount: price.unit_amount,
    amount_decimal: price.unit_amount_decimal,
    billing_scheme: price.billing_scheme,
    created: price.created,
    currency: price.currency,
    interval: price.recurring?.interval ?? 'month',
    interval_count: price.recurring?.interval_count ?? 1,
    livemode: false,
    metadata: price.metadata,
    meter: price.recurring?.meter ?? null,
    nickname: price.nickname,
    product: price.product,
    tiers_mode: null,
    transform_usage: null,
    trial_period_days: price.recurring?.trial_period_days ?? null,
    usage_type: price.recurring?.usage_type ?? 'licensed',
  };
}

interface StoredIdempotent {
  method: string;
  path: string;
  params: string;
  status: number;
  body: unknown;
  requestId: string;
  createdAt: number;
}

interface FailureRule {
  remaining: number;
  failure: StripeFakeFailure;
  scope: StripeFakeFailureScope;
}

interface RouteResult {
  status: number;
  body: unknown;
}

export async function startStripeFake(options: StripeFakeOptions = {}): Promise<StripeFake> {
  const nowSeconds = (): number => Math.floor((options.now?.() ?? Date.now()) / 1000);
  const defaultVersion = options.defaultApiVersion ?? DEFAULT_API_VERSION;
  const log = new RequestLog<StripeFakeRequest>(options.maxRecordedRequests ?? 5000);
  const customers = new Map<string, StripeFakeCustomer>();
  const deletedCustomers = new Set<string>();
  const subscriptions = new Map<string, StripeFakeSubscription>();
  const prices = new Map<string, StripeFakePrice>();
  const meterEvents: StripeFakeMeterEvent[] = [];
  const meterIdentifiers = new Map<string, number>();
  const checkoutSessions = new Map<string, StripeFakeCheckoutSession>();
  const checkoutRequests = new Map<string, StripeFakeCheckoutRequest>();
  const portalSessions: StripeFakePortalSession[] = [];
  const idempotency = new Map<string, StoredIdempotent>();
  const events: StripeFakeEvent[] = [];
  const deliveries: StripeWebhookDelivery[] = [];
  let rules: FailureRule[] = [];
  let webhook = options.webhook;
  let seq = 0;
  let currentRequest: { id: string; idempotencyKey: string | null; apiVersion: string } | undefined;

  const seedPrice = (seed: StripeFakePriceSeed = {}): StripeFakePrice => {
    const recurring =
      seed.recurring === null
        ? null
        : {
            interval: seed.recurring?.interval ?? 'month',
            interval_count: seed.recurring?.interval_count ?? 1,
            meter: seed.recurring?.meter ?? null,
            trial_period_days: seed.recurring?.trial_period_days ?? null,
            usage_type: seed.recurring?.usage_type ?? 'licensed',
          };
    const unitAmount = seed.unit_amount === undefined ? 1000 : seed.unit_amount;
    const price: StripeFakePrice = {
      id: seed.id ?? makeId('price_'),
      object: 'price',
      active: seed.active ?? true,
      billing_scheme: 'per_unit',
      created: nowSeconds(),
      currency: seed.currency ?? 'usd',
      custom_unit_amount: null,
      livemode: false,
      lookup_key: seed.lookup_key ?? null,
      metadata: seed.metadata ?? {},
      nickname: seed.nickname ?? null,
      product: seed.product ?? makeId('prod_', 14),
      recurring,
      tax_behavior: 'unspecified',
      tiers_mode: null,
      transform_quantity: null,
      type: recurring ? 'recurring' : 'one_time',
      unit_amount: unitAmount,
      unit_amount_decimal: unitAmount === null ? null : String(unitAmount),
    };
    prices.set(price.id, price);
    return price;
  };

  const newCustomer = (params: FormObject): StripeFakeCustomer => ({
    id: makeId('cus_', 14),
    object: 'customer',
    address: null,
    balance: int(params, 'balance') ?? 0,
    created: nowSeconds(),
    currency: null,
    default_source: null,
    delinquent: false,
    description: str(params, 'description') ?? null,
    discount: null,
    email: str(params, 'email') ?? null,
    invoice_prefix: makeId('', 8).toUpperCase().slice(0, 8),
    invoice_settings: {
      custom_fields: null,
      default_payment_method: null,
      footer: null,
      rendering_options: null,
    },
    livemode: false,
    metadata: mergeMetadata({}, params),
    name: str(params, 'name') ?? null,
    next_invoice_sequence: 1,
    phone: str(params, 'phone') ?? null,
    preferred_locales: list(params, 'preferred_locales').filter(
      (v): v is string => typeof v === 'string',
    ),
    shipping: null,
    tax_exempt: 'none',
    test_clock: null,
  });

  const emit = (
    type: string,
    object: unknown,
    previousAttributes?: Record<string, unknown>,
  ): StripeFakeEvent => {
    const event: StripeFakeEvent = {
      id: makeId('evt_'),
      object: 'event',
      api_version: currentRequest?.apiVersion ?? defaultVersion,
      created: nowSeconds(),
      data: {
        object: structuredClone(object),
        ...(previousAttributes ? { previous_attributes: structuredClone(previousAttributes) } : {}),
      },
      livemode: false,
      pending_webhooks: webhook ? 1 : 0,
      request: {
        id: currentRequest?.id ?? null,
        idempotency_key: currentRequest?.idempotencyKey ?? null,
      },
      type,
    };
    events.push(event);
    if (webhook) {
      const endpoint = webhook;
      // Stripe delivers after the API call returns; a later tick keeps that order.
      setImmediate(() => {
        void deliverEvent(event, endpoint);
      });
    }
    return event;
  };

  const deliverEvent = async (
    event: StripeFakeEvent,
    endpoint: { url: string; secret: string },
  ): Promise<StripeWebhookDelivery> => {
    const payload = JSON.stringify(event, null, 2);
    const timestamp = nowSeconds();
    const signature = createHmac('sha256', endpoint.secret)
      .update(`${timestamp}.${payload}`)
      .digest('hex');
    const delivery: StripeWebhookDelivery = {
      eventId: event.id,
      type: event.type,
      url: endpoint.url,
      status: undefined,
      error: undefined,
    };
    deliveries.push(delivery);
    try {
      const response = await fetch(endpoint.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json; charset=utf-8',
          'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
          'Stripe-Signature': `t=${timestamp},v1=${signature}`,
        },
        body: payload,
      });
      delivery.status = response.status;
      await response.arrayBuffer();
    } catch (error) {
      delivery.error = describeError(error);
    }
    return delivery;
  };

  const priceFor = (id: string, param: string): StripeFakePrice => {
    const price = prices.get(id);
    if (!price) throw noSuch('price', id, param, 400);
    return price;
  };

  const makeItem = (
    sub: Pick<StripeFakeSubscription, 'id' | 'current_period_start' | 'current_period_end'>,
    itemParams: FormObject,
    index: number,
  ): StripeFakeSubscriptionItem => {
    const priceId = str(itemParams, 'price');
    if (priceId === undefined) throw missingParam(`items[${index}][price]`);
    const price = priceFor(priceId, `items[${index}][price]`);
    const metered = price.recurring?.usage_type === 'metered';
    const quantity = int(itemParams, 'quantity', `items[${index}][quantity]`);
    if (metered && quantity !== undefined) {
      throw invalid(
        'Quantity should not be specified where usage_type is `metered`.',
        `items[${index}][quantity]`,
      );
    }
    return {
      id: makeId('si_', 14),
      object: 'subscription_item',
      billing_thresholds: null,
      created: nowSeconds(),
      current_period_end: sub.current_period_end,
      current_period_start: sub.current_period_start,
      discounts: [],
      metadata: mergeMetadata({}, itemParams),
      plan: planOf(price),
      price,
      ...(metered ? {} : { quantity: quantity ?? 1 }),
      subscription: sub.id,
      tax_rates: [],
    };
  };

  const itemParamsList = (params: FormObject): FormObject[] =>
    list(params, 'items').map((item, i) => {
      if (typeof item !== 'object' || Array.isArray(item))
        throw invalid('Invalid hash', `items[${i}]`);
      return item;
    });

  const setPeriod = (sub: StripeFakeSubscription, start: number, end: number): void => {
    sub.current_period_start = start;
    sub.current_period_end = end;
    for (const item of sub.items.data) {
      item.current_period_start = start;
      item.current_period_end = end;
    }
  };

  const renderSubscription = (sub: StripeFakeSubscription, expand: string[]): unknown => {
    if (expand.includes('customer')) {
      const customer = customers.get(sub.customer);
      return {
        ...sub,
        customer: customer ?? { id: sub.customer, object: 'customer', deleted: true },
      };
    }
    return sub;
  };

  const createSubscription = (params: FormObject): RouteResult => {
    const customerId = str(params, 'customer');
    if (!customerId) throw missingParam('customer');
    if (!customers.has(customerId)) throw noSuch('customer', customerId, 'customer', 400);
    const itemsParams = itemParamsList(params);
    if (itemsParams.length === 0) throw missingParam('items');
    const now = nowSeconds();
    const trialDays = int(params, 'trial_period_days');
    const trialEndParam = str(params, 'trial_end');
    let trialEnd: number | null = null;
    if (trialDays !== undefined && trialDays > 0) trialEnd = now + trialDays * DAY;
    if (trialEndParam !== undefined && trialEndParam !== 'now') {
      trialEnd = int(params, 'trial_end') ?? null;
      if (trialEnd !== null && trialEnd <= now)
        throw invalid('Invalid timestamp: must be in the future', 'trial_end');
    }
    const id = makeId('sub_', 14);
    const firstPrice = priceFor(str(itemsParams[0], 'price') ?? '', 'items[0][price]');
    const recurring = firstPrice.recurring ?? { interval: 'month' as const, interval_count: 1 };
    const periodEnd = trialEnd ?? addInterval(now, recurring.interval, recurring.interval_count);
    const skeleton = { id, current_period_start: now, current_period_end: periodEnd };
    const items = itemsParams.map((p, i) => makeItem(skeleton, p, i));
    const cancelAtPeriodEnd = bool(params, 'cancel_at_period_end') ?? false;
    const cancelAt = int(params, 'cancel_at') ?? null;
    const sub: StripeFakeSubscription = {
      id,
      object: 'subscription',
      application: null,
      application_fee_percent: null,
      automatic_tax: { disabled_reason: null, enabled: false, liability: null },
      billing_cycle_anchor: trialEnd ?? now,
      billing_cycle_anchor_config: null,
      billing_mode: { type: 'classic' },
      billing_thresholds: null,
      cancel_at: cancelAtPeriodEnd ? periodEnd : cancelAt,
      cancel_at_period_end: cancelAtPeriodEnd,
      canceled_at: null,
      cancellation_details: { comment: null, feedback: null, reason: null },
      collection_method:
        str(params, 'collection_method') === 'send_invoice'
          ? 'send_invoice'
          : 'charge_automatically',
      created: now,
      currency: firstPrice.currency,
      current_period_end: periodEnd,
      current_period_start: now,
      customer: customerId,
      days_until_due: int(params, 'days_until_due') ?? null,
      default_payment_method: str(params, 'default_payment_method') ?? null,
      default_source: null,
      default_tax_rates: [],
      description: str(params, 'description') ?? null,
      discounts: [],
      ended_at: null,
      invoice_settings: { account_tax_ids: null, issuer: { type: 'self' } },
      items: {
        object: 'list',
        data: items,
        has_more: false,
        total_count: items.length,
        url: `/v1/subscription_items?subscription=${id}`,
      },
      latest_invoice: null,
      livemode: false,
      metadata: mergeMetadata({}, params),
      next_pending_invoice_item_invoice: null,
      on_behalf_of: null,
      pause_collection: null,
      payment_settings: {
        payment_method_options: null,
        payment_method_types: null,
        save_default_payment_method: 'off',
      },
      pending_invoice_item_interval: null,
      pending_setup_intent: null,
      pending_update: null,
      schedule: null,
      start_date: now,
      status: trialEnd !== null ? 'trialing' : 'active',
      test_clock: null,
      transfer_data: null,
      trial_end: trialEnd,
      trial_settings: { end_behavior: { missing_payment_method: 'create_invoice' } },
      trial_start: trialEnd !== null ? now : null,
    };
    subscriptions.set(id, sub);
    emit('customer.subscription.created', sub);
    return { status: 200, body: renderSubscription(sub, expandList(params)) };
  };

  const watched = [
    'status',
    'cancel_at',
    'cancel_at_period_end',
    'canceled_at',
    'metadata',
    'items',
    'trial_end',
    'current_period_end',
    'current_period_start',
  ] as const;
  const snapshot = (sub: StripeFakeSubscription): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const key of watched) out[key] = structuredClone(sub[key]);
    return out;
  };
  const emitUpdated = (sub: StripeFakeSubscription, before: Record<string, unknown>): void => {
    const after = snapshot(sub);
    const previous: Record<string, unknown> = {};
    for (const key of watched) {
      if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) previous[key] = before[key];
    }
    if (Object.keys(previous).length > 0) emit('customer.subscription.updated', sub, previous);
  };

  const updateSubscription = (sub: StripeFakeSubscription, params: FormObject): RouteResult => {
    if (sub.status === 'canceled') {
      const allowed = new Set(['metadata', 'cancellation_details', 'expand']);
      if (Object.keys(params).some((k) => !allowed.has(k))) {
        throw new StripeApiError(
          400,
          'invalid_request_error',
          'A canceled subscription can only update its cancellation_details and metadata.',
          undefined,
          undefined,
        );
      }
    }
    const before = snapshot(sub);
    const itemsParams = params.items === undefined ? [] : itemParamsList(params);
    const nextItems = [...sub.items.data];
    itemsParams.forEach((itemParams, i) => {
      const itemId = str(itemParams, 'id');
      if (itemId === undefined) {
        nextItems.push(makeItem(sub, itemParams, i));
        return;
      }
      const index = nextItems.findIndex((item) => item.id === itemId);
      if (index < 0) throw noSuch('subscription item', itemId, `items[${i}][id]`, 400);
      if (bool(itemParams, 'deleted') === true) {
        nextItems.splice(index, 1);
        return;
      }
      const item = { ...nextItems[index] };
      const priceId = str(itemParams, 'price');
      if (priceId !== undefined) {
        item.price = priceFor(priceId, `items[${i}][price]`);
        item.plan = planOf(item.price);
      }
      const quantity = int(itemParams, 'quantity', `items[${i}][quantity]`);
      if (quantity !== undefined) item.quantity = quantity;
      item.metadata = mergeMetadata(item.metadata, itemParams);
      nextItems[index] = item;
    });
    if (nextItems.length === 0) {
      throw invalid('A subscription must have at least one active plan.', 'items');
    }
    sub.items = { ...sub.items, data: nextItems, total_count: nextItems.length };
    sub.metadata = mergeMetadata(sub.metadata, params);
    sub.description = nullableStr(params, 'description', sub.description);
    sub.default_payment_method = nullableStr(
      params,
      'default_payment_method',
      sub.default_payment_method,
    );
    const cancelAtPeriodEnd = bool(params, 'cancel_at_period_end');
    if (cancelAtPeriodEnd !== undefined) {
      sub.cancel_at_period_end = cancelAtPeriodEnd;
      sub.cancel_at = cancelAtPeriodEnd ? sub.current_period_end : null;
    }
    if (params.cancel_at !== undefined) {
      const cancelAt = int(params, 'cancel_at') ?? null;
      sub.cancel_at = cancelAt;
      sub.cancel_at_period_end = cancelAt !== null && cancelAt === sub.current_period_end;
    }
    const trialEnd = str(params, 'trial_end');
    const now = nowSeconds();
    if (trialEnd === 'now' && sub.status === 'trialing') {
      const price = sub.items.data[0].price;
      const recurring = price.recurring ?? { interval: 'month' as const, interval_count: 1 };
      sub.trial_end = now;
      sub.status = 'active';
      sub.billing_cycle_anchor = now;
      setPeriod(sub, now, addInterval(now, recurring.interval, recurring.interval_count));
    } else if (trialEnd !== undefined && trialEnd !== 'now') {
      const end = int(params, 'trial_end');
      if (end !== undefined) {
        if (end <= now) throw invalid('Invalid timestamp: must be in the future', 'trial_end');
        sub.trial_end = end;
        sub.trial_start = sub.trial_start ?? now;
        sub.status = 'trialing';
        setPeriod(sub, sub.current_period_start, end);
      }
    }
    for (const item of sub.items.data) {
      item.current_period_start = sub.current_period_start;
      item.current_period_end = sub.current_period_end;
    }
    emitUpdated(sub, before);
    return { status: 200, body: renderSubscription(sub, expandList(params)) };
  };

  const cancelSubscription = (
    sub: StripeFakeSubscription,
    params: FormObject,
  ): StripeFakeSubscription => {
    if (sub.status === 'canceled') {
      throw new StripeApiError(
        400,
        'invalid_request_error',
        `No such subscription: '${sub.id}'; it has already been canceled.`,
        'resource_missing',
        'id',
      );
    }
    const now = nowSeconds();
    const details = obj(params, 'cancellation_details');
    sub.status = 'canceled';
    sub.canceled_at = now;
    sub.ended_at = now;
    sub.cancel_at = null;
    sub.cancel_at_period_end = false;
    sub.cancellation_details = {
      comment: details ? (str(details, 'comment') ?? null) : null,
      feedback: details ? (str(details, 'feedback') ?? null) : null,
      reason: 'cancellation_requested',
    };
    emit('customer.subscription.deleted', sub);
    return sub;
  };

  const paginate = <T extends { id?: string }>(
    items: T[],
    params: FormObject,
    url: string,
  ): unknown => {
    const limit = Math.min(Math.max(int(params, 'limit') ?? 10, 1), 100);
    const after = str(params, 'starting_after');
    let start = 0;
    if (after) start = items.findIndex((item) => item.id === after) + 1;
    const page = items.slice(start, start + limit);
    return { object: 'list', data: page, has_more: start + limit < items.length, url };
  };

  const route = (method: string, path: string, params: FormObject): RouteResult => {
    const parts = path.split('/').filter(Boolean);
    if (parts[0] !== 'v1') throw unrecognized(method, path);
    const [, resource, id, extra] = parts;

    if (resource === 'customers') {
      if (extra !== undefined) throw unrecognized(method, path);
      if (id === undefined) {
        if (method === 'POST') {
          const customer = newCustomer(params);
          customers.set(customer.id, customer);
          emit('customer.created', customer);
          return { status: 200, body: customer };
        }
        if (method === 'GET') {
          const email = str(params, 'email');
          const all = [...customers.values()]
            .filter((c) => email === undefined || c.email === email)
            .reverse();
          return { status: 200, body: paginate(all, params, '/v1/customers') };
        }
        throw unrecognized(method, path);
      }
      if (deletedCustomers.has(id)) {
        if (method === 'GET')
          return { status: 200, body: { id, object: 'customer', deleted: true } };
        throw noSuch('customer', id, 'id');
      }
      const customer = customers.get(id);
      if (!customer) throw noSuch('customer', id, 'id');
      if (method === 'GET') return { status: 200, body: customer };
      if (method === 'POST') {
        const before = structuredClone(customer);
        customer.email = nullableStr(params, 'email', customer.email);
        customer.name = nullableStr(params, 'name', customer.name);
        customer.phone = nullableStr(params, 'phone', customer.phone);
        customer.description = nullableStr(params, 'description', customer.description);
        customer.metadata = mergeMetadata(customer.metadata, params);
        const invoiceSettings = obj(params, 'invoice_settings');
        if (invoiceSettings) {
          customer.invoice_settings.default_payment_method = nullableStr(
            invoiceSettings,
            'default_payment_method',
            customer.invoice_settings.default_payment_method,
          );
        }
        const previous: Record<string, unknown> = {};
        for (const key of ['email', 'name', 'phone', 'description', 'metadata'] as const) {
          if (JSON.stringify(before[key]) !== JSON.stringify(customer[key]))
            previous[key] = before[key];
        }
        if (Object.keys(previous).length > 0) emit('customer.updated', customer, previous);
        return { status: 200, body: customer };
      }
      if (method === 'DELETE') {
        for (const sub of subscriptions.values()) {
          if (sub.customer === id && sub.status !== 'canceled') cancelSubscription(sub, {});
        }
        customers.delete(id);
        deletedCustomers.add(id);
        emit('customer.deleted', customer);
        return { status: 200, body: { id, object: 'customer', deleted: true } };
      }
      throw unrecognized(method, path);
    }

    if (resource === 'subscriptions') {
      if (extra !== undefined) throw unrecognized(method, path);
      if (id === undefined) {
        if (method === 'POST') return createSubscription(params);
        if (method === 'GET') {
          const customer = str(params, 'customer');
          const status = str(params, 'status');
          const price = str(params, 'price');
          const all = [...subscriptions.values()]
            .filter((s) => customer === undefined || s.customer === customer)
            .filter((s) =>
              status === undefined
                ? s.status !== 'canceled'
                : status === 'all' || s.status === status,
            )
            .filter(
              (s) => price === undefined || s.items.data.some((item) => item.price.id === price),
            )
            .reverse();
          const expand = expandList(params).map((e) => e.replace(/^data\./, ''));
          const page = paginate(all, params, '/v1/subscriptions') as {
            data: StripeFakeSubscription[];
          };
          return {
            status: 200,
            body: { ...page, data: page.data.map((s) => renderSubscription(s, expand)) },
          };
        }
        throw unrecognized(method, path);
      }
      const sub = subscriptions.get(id);
      if (!sub) throw noSuch('subscription', id, 'id');
      if (method === 'GET')
        return { status: 200, body: renderSubscription(sub, expandList(params)) };
      if (method === 'POST') return updateSubscription(sub, params);
      if (method === 'DELETE')
        return { status: 200, body: renderSubscription(cancelSubscription(sub, params), []) };
      throw unrecognized(method, path);
    }

    if (resource === 'prices') {
      if (extra !== undefined) throw unrecognized(method, path);
      if (id === undefined) {
        if (method === 'POST') return { status: 200, body: createPrice(params) };
        if (method === 'GET') {
          const lookupKeys = list(params, 'lookup_keys').filter(
            (v): v is string => typeof v === 'string',
          );
          const active = bool(params, 'active');
          const product = str(params, 'product');
          const all = [...prices.values()]
            .filter(
              (p) =>
                lookupKeys.length === 0 ||
                (p.lookup_key !== null && lookupKeys.includes(p.lookup_key)),
            )
            .filter((p) => active === undefined || p.active === active)
            .filter((p) => product === undefined || p.product === product)
            .reverse();
          return { status: 200, body: paginate(all, params, '/v1/prices') };
        }
        throw unrecognized(method, path);
      }
      const price = prices.get(id);
      if (!price) throw noSuch('price', id, 'price');
      if (method === 'GET') return { status: 200, body: price };
      throw unrecognized(method, path);
    }

    if (
      resource === 'billing' &&
      id === 'meter_events' &&
      extra === undefined &&
      method === 'POST'
    ) {
      return { status: 200, body: createMeterEvent(params) };
    }

    if (resource === 'checkout' && id === 'sessions' && parts.length <= 4) {
      if (extra === undefined && method === 'POST') {
        return { status: 200, body: createCheckoutSession(params) };
      }
      if (extra !== undefined && method === 'GET') {
        const session = checkoutSessions.get(extra);
        if (!session) throw noSuch('checkout.session', extra, 'session');
        return { status: 200, body: session };
      }
      throw unrecognized(method, path);
    }

    if (
      resource === 'billing_portal' &&
      id === 'sessions' &&
      extra === undefined &&
      method === 'POST'
    ) {
      return { status: 200, body: createPortalSession(params) };
    }
    throw unrecognized(method, path);
  };

  const createCheckoutSession = (params: FormObject): StripeFakeCheckoutSession => {
    const mode = str(params, 'mode');
    if (!mode) throw missingParam('mode');
    if (!['subscription', 'payment', 'setup'].includes(mode)) {
      throw invalid('Invalid mode: must be one of payment, setup, or subscription', 'mode');
    }
    const customerId = str(params, 'customer');
    if (customerId !== undefined && !customers.has(customerId)) {
      throw noSuch('customer', customerId, 'customer', 400);
    }
    const customerEmail = str(params, 'customer_email');
    if (customerId !== undefined && customerEmail !== undefined) {
      throw invalid(
        'You may only specify one of these parameters: customer, customer_email.',
        'customer_email',
      );
    }
    const lineItems = list(params, 'line_items').map((raw, i) => {
      if (typeof raw !== 'object' || Array.isArray(raw))
        throw invalid('Invalid hash', `line_items[${i}]`);
      const priceId = str(raw, 'price');
      if (priceId === undefined) throw missingParam(`line_items[${i}][price]`);
      const price = priceFor(priceId, `line_items[${i}][price]`);
      const quantity = int(raw, 'quantity', `line_items[${i}][quantity]`);
      if (mode === 'subscription' && !price.recurring) {
        throw invalid(
          'You must provide at least one recurring price in `subscription` mode when using prices.',
          `line_items[${i}][price]`,
        );
      }
      return { price, quantity: quantity ?? 1 };
    });
    if (mode !== 'setup' && lineItems.length === 0) throw missingParam('line_items');
    const subscriptionData = obj(params, 'subscription_data');
    if (subscriptionData && mode !== 'subscription') {
      throw invalid(
        'You can only pass in subscription_data in subscription mode.',
        'subscription_data',
      );
    }
    const trialDays = subscriptionData
      ? int(subscriptionData, 'trial_period_days', 'subscription_data[trial_period_days]')
      : undefined;
    if (trialDays !== undefined && trialDays < 1) {
      throw invalid(
        'The trial_period_days must be at least 1.',
        'subscription_data[trial_period_days]',
      );
    }
    const now = nowSeconds();
    const sessionId = makeId('cs_test_', 58);
    const subtotal = lineItems.reduce(
      (sum, item) => sum + (item.price.unit_amount ?? 0) * item.quantity,
      0,
    );
    const session: StripeFakeCheckoutSession = {
      id: sessionId,
      object: 'checkout.session',
      after_expiration: null,
      allow_promotion_codes: bool(params, 'allow_promotion_codes') ?? null,
      amount_subtotal: mode === 'setup' ? null : subtotal,
      amount_total: mode === 'setup' ? null : subtotal,
      automatic_tax: { enabled: false, liability: null, status: null },
      billing_address_collection: str(params, 'billing_address_collection') ?? null,
      cancel_url: str(params, 'cancel_url') ?? null,
      client_reference_id: str(params, 'client_reference_id') ?? null,
      client_secret: null,
      created: now,
      currency: lineItems[0]?.price.currency ?? null,
      customer: customerId ?? null,
      customer_creation: customerId ? null : mode === 'payment' ? 'if_required' : 'always',
      customer_details: customerEmail ? { email: customerEmail } : null,
      customer_email: customerEmail ?? null,
      expires_at: int(params, 'expires_at') ?? now + DAY,
      invoice: null,
      livemode: false,
      locale: str(params, 'locale') ?? null,
      metadata: mergeMetadata({}, params),
      mode: mode as StripeFakeCheckoutSession['mode'],
      payment_intent: null,
      payment_link: null,
      payment_method_collection:
        str(params, 'payment_method_collection') === 'if_required' ? 'if_required' : 'always',
      payment_status: 'unpaid',
      status: 'open',
      submit_type: null,
      subscription: null,
      success_url: str(params, 'success_url') ?? null,
      ui_mode: 'hosted',
      url: `https://checkout.stripe.com/c/pay/${sessionId}`,
    };
    checkoutSessions.set(sessionId, session);
    checkoutRequests.set(sessionId, {
      lineItems: lineItems.map((item) => ({ price: item.price.id, quantity: item.quantity })),
      subscriptionData: {
        trialPeriodDays: trialDays ?? null,
        metadata: subscriptionData ? mergeMetadata({}, subscriptionData) : {},
      },
    });
    return session;
  };

  const completeCheckoutSession = (sessionId: string): StripeFakeCheckoutCompletion => {
    const session = checkoutSessions.get(sessionId);
    const request = checkoutRequests.get(sessionId);
    if (!session || !request) throw new Error(`stripe fake: no checkout session ${sessionId}`);
    if (session.status !== 'open') {
      throw new Error(`stripe fake: checkout session ${sessionId} is ${session.status}`);
    }
    if (session.mode !== 'subscription') {
      throw new Error('stripe fake: only subscription-mode sessions can be completed');
    }
    let customerId = session.customer;
    if (!customerId) {
      const customer = newCustomer(session.customer_email ? { email: session.customer_email } : {});
      customers.set(customer.id, customer);
      emit('customer.created', customer);
      customerId = customer.id;
    }
    const eventsBefore = events.length;
    const subscriptionParams: FormObject = {
      customer: customerId,
      items: request.lineItems.map((item) => ({
        price: item.price,
        quantity: String(item.quantity),
      })),
      metadata: { ...request.subscriptionData.metadata },
      ...(request.subscriptionData.trialPeriodDays
        ? { trial_period_days: String(request.subscriptionData.trialPeriodDays) }
        : {}),
    };
    const created = createSubscription(subscriptionParams).body as StripeFakeSubscription;
    const subscription = subscriptions.get(created.id) as StripeFakeSubscription;
    const subscriptionCreated = events
      .slice(eventsBefore)
      .find((e) => e.type === 'customer.subscription.created') as StripeFakeEvent;
    session.customer = customerId;
    session.subscription = subscription.id;
    session.status = 'complete';
    session.payment_status = subscription.status === 'trialing' ? 'no_payment_required' : 'paid';
    if (subscription.status === 'trialing') session.amount_total = 0;
    session.customer_details = {
      email: session.customer_email ?? customers.get(customerId)?.email ?? null,
    };
    session.url = null;
    const checkoutCompleted = emit('checkout.session.completed', session);
    return { session, subscription, subscriptionCreated, checkoutCompleted };
  };

  const createPortalSession = (params: FormObject): StripeFakePortalSession => {
    const customerId = str(params, 'customer');
    if (!customerId) throw missingParam('customer');
    if (!customers.has(customerId)) throw noSuch('customer', customerId, 'customer', 400);
    const sessionId = makeId('bps_', 24);
    const session: StripeFakePortalSession = {
      id: sessionId,
      object: 'billing_portal.session',
      configuration: str(params, 'configuration') ?? 'bpc_fakedefaultconfiguration0',
      created: nowSeconds(),
      customer: customerId,
      flow: null,
      livemode: false,
      locale: str(params, 'locale') ?? null,
      on_behalf_of: null,
      return_url: str(params, 'return_url') ?? null,
      url: `https://billing.stripe.com/p/session/test_${makeId('', 32)}`,
    };
    portalSessions.push(session);
    return session;
  };

  const createPrice = (params: FormObject): StripeFakePrice => {
    const currency = str(params, 'currency');
    if (!currency) throw missingParam('currency');
    const recurring = obj(params, 'recurring');
    const productData = obj(params, 'product_data');
    const product = str(params, 'product') ?? (productData ? makeId('prod_', 14) : undefined);
    if (!product) throw missingParam('product');
    const interval = recurring ? str(recurring, 'interval') : undefined;
    if (recurring && !interval) throw missingParam('recurring[interval]');
    if (interval !== undefined && !['day', 'week', 'month', 'year'].includes(interval)) {
      throw invalid(
        `Invalid recurring[interval]: must be one of day, week, month, or year`,
        'recurring[interval]',
      );
    }
    const usageType = recurring ? str(recurring, 'usage_type') : undefined;
    return seedPrice({
      currency,
      product,
      unit_amount: int(params, 'unit_amount') ?? null,
      lookup_key: str(params, 'lookup_key') ?? null,
      nickname: str(params, 'nickname') ?? null,
      metadata: mergeMetadata({}, params),
      recurring: recurring
        ? {
            interval: interval as StripeInterval,
            interval_count: int(recurring, 'interval_count', 'recurring[interval_count]') ?? 1,
            usage_type: usageType === 'metered' ? 'metered' : 'licensed',
            meter: str(recurring, 'meter') ?? null,
          }
        : null,
    });
  };

  const createMeterEvent = (params: FormObject): StripeFakeMeterEvent => {
    const eventName = str(params, 'event_name');
    if (!eventName) throw missingParam('event_name');
    const payload = obj(params, 'payload');
    if (!payload) throw missingParam('payload');
    const flatPayload: Record<string, string> = {};
    for (const [key, value] of Object.entries(payload)) {
      if (typeof value !== 'string')
        throw invalid(`Invalid payload[${key}]: must be a string`, `payload[${key}]`);
      flatPayload[key] = value;
    }
    if (!flatPayload.stripe_customer_id) throw missingParam('payload[stripe_customer_id]');
    if (flatPayload.value === undefined) throw missingParam('payload[value]');
    if (!/^-?\d+(\.\d+)?$/.test(flatPayload.value)) {
      throw invalid(
        `Invalid payload[value]: must be a number, got '${flatPayload.value}'`,
        'payload[value]',
      );
    }
    const now = nowSeconds();
    const timestamp = int(params, 'timestamp') ?? now;
    if (timestamp < now - 35 * DAY || timestamp > now + 5 * 60) {
      throw invalid(
        'Timestamp must be within the past 35 calendar days and no more than 5 minutes in the future.',
        'timestamp',
        'timestamp_out_of_range',
      );
    }
    const identifier = str(params, 'identifier') ?? makeId('mev_');
    const seenAt = meterIdentifiers.get(identifier);
    if (seenAt !== undefined && now - seenAt < DAY) {
      throw new StripeApiError(
        400,
        'invalid_request_error',
        `A meter event with identifier '${identifier}' already exists. Identifiers must be unique within a rolling 24 hour period.`,
        'resource_already_exists',
        'identifier',
      );
    }
    meterIdentifiers.set(identifier, now);
    const event: StripeFakeMeterEvent = {
      object: 'billing.meter_event',
      created: now,
      event_name: eventName,
      identifier,
      livemode: false,
      payload: flatPayload,
      timestamp,
    };
    meterEvents.push(event);
    return event;
  };

  const unrecognized = (method: string, path: string): StripeApiError =>
    new StripeApiError(
      404,
      'invalid_request_error',
      `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
      undefined,
      undefined,
      false,
    );

  const apiKeyOf = (headers: Record<string, string>): string | undefined => {
    const auth = headers.authorization ?? '';
    if (auth.startsWith('Bearer ')) return auth.slice(7).trim();
    if (auth.startsWith('Basic '))
      return Buffer.from(auth.slice(6), 'base64').toString('utf8').split(':')[0];
    return undefined;
  };

  const matches = (scope: StripeFakeFailureScope, method: string, path: string): boolean =>
    (scope.method === undefined || scope.method.toUpperCase() === method) &&
    (scope.path === undefined ||
      (typeof scope.path === 'string' ? scope.path === path : scope.path.test(path)));

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = (req.method ?? 'GET').toUpperCase();
    const [rawPath, rawQuery = ''] = (req.url ?? '/').split('?', 2);
    const path = rawPath.replace(/\/+$/, '') || '/';
    const rawBody = (await readBody(req)).toString('utf8');
    const headers = flattenHeaders(req);
    const query = parseStripeForm(rawQuery);
    const bodyParams = parseStripeForm(rawBody);
    const params =
      method === 'GET' || method === 'DELETE' ? { ...query, ...bodyParams } : bodyParams;
    const apiKey = apiKeyOf(headers);
    const idempotencyKey = method === 'POST' ? headers['idempotency-key'] : undefined;
    const apiVersion = headers['stripe-version'] ?? defaultVersion;
    seq += 1;
    const record: StripeFakeRequest = {
      seq,
      method,
      path,
      query,
      params: bodyParams,
      rawBody,
      headers,
      idempotencyKey: headers['idempotency-key'],
      stripeVersion: headers['stripe-version'],
      apiKey,
      status: undefined,
      replayed: false,
      injected: false,
      responseBody: undefined,
      receivedAt: Date.now(),
    };
    const requestId = makeId('req_', 14);
    const respond = (status: number, body: unknown, extra: Record<string, string> = {}): void => {
      record.status = status;
      record.responseBody = body;
      log.push(record);
      sendJson(res, status, body, {
        'Request-Id': requestId,
        'Stripe-Version': apiVersion,
        ...(idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {}),
        ...extra,
      });
    };

    const keyValid =
      apiKey !== undefined &&
      (options.apiKey !== undefined
        ? apiKey === options.apiKey
        : /^(sk|rk)_(test|live)_\S+$/.test(apiKey));
    if (!keyValid) {
      respond(
        401,
        errorBody({
          type: 'invalid_request_error',
          message:
            apiKey === undefined || apiKey === ''
              ? "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY')."
              : `Invalid API Key provided: ${apiKey.slice(0, 8)}${'*'.repeat(Math.max(0, apiKey.length - 12))}${apiKey.slice(-4)}`,
          ...(apiKey ? { code: 'api_key_invalid' } : {}),
        }),
        { 'WWW-Authenticate': 'Bearer realm="Stripe"' },
      );
      return;
    }

    const rule = rules.find((r) => r.remaining > 0 && matches(r.scope, method, path));
    if (rule) {
      rule.remaining -= 1;
      rules = rules.filter((r) => r.remaining > 0);
      record.injected = true;
      const { failure } = rule;
      respond(
        failure.status,
        errorBody({
          type: failure.type,
          message: failure.message ?? defaultFailureMessage(failure),
          code: failure.code,
          param: failure.param,
          declineCode: failure.declineCode,
        }),
        failure.shouldRetry === undefined
          ? {}
          : { 'Stripe-Should-Retry': String(failure.shouldRetry) },
      );
      return;
    }

    const storeKey = idempotencyKey ? `${apiKey}\u0000${idempotencyKey}` : undefined;
    const canonicalParams = canonicalForm(bodyParams);
    if (storeKey && idempotencyKey) {
      const stored = idempotency.get(storeKey);
      if (stored && nowSeconds() - stored.createdAt < DAY) {
        if (stored.method !== method || stored.path !== path) {
          respond(
            400,
            errorBody({
              type: 'idempotency_error',
              message: `Keys for idempotent requests can only be used for the same endpoint they were first used for ('${stored.method} ${stored.path}' vs '${method} ${path}'). Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
            }),
          );
          return;
        }
        if (stored.params !== canonicalParams) {
          respond(
            400,
            errorBody({
              type: 'idempotency_error',
              message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
            }),
          );
          return;
        }
        record.replayed = true;
        respond(stored.status, stored.body, {
          'Idempotent-Replayed': 'true',
          'Original-Request': stored.requestId,
        });
        return;
      }
    }

    let result: RouteResult;
    let store = true;
    currentRequest = { id: requestId, idempotencyKey: idempotencyKey ?? null, apiVersion };
    try {
      result = route(method, path, params);
    } catch (error) {
      if (!(error instanceof StripeApiError)) throw error;
      store = error.storeIdempotent;
      result = {
        status: error.status,
        body: errorBody({
          type: error.type,
          message: error.message,
          code: error.code,
          param: error.param,
        }),
      };
    } finally {
      currentRequest = undefined;
    }
    if (storeKey && store) {
      idempotency.set(storeKey, {
        method,
        path,
        params: canonicalParams,
        status: result.status,
        body: structuredClone(result.body),
        requestId,
        createdAt: nowSeconds(),
      });
    }
    // Serialise now: later mutations of the live objects must not leak into this response.
    respond(result.status, JSON.parse(JSON.stringify(result.body)) as unknown);
  };

  const seedAll = (): void => {
    for (const seed of options.prices ?? []) seedPrice(seed);
  };
  seedAll();
  const started = await startHttpServer(handle);

  return {
    url: `http://127.0.0.1:${started.port}`,
    host: '127.0.0.1',
    port: started.port,
    protocol: 'http',
    get requests() {
      return log.all();
    },
    lastRequest: () => log.all()[log.all().length - 1],
    requestsTo: (method, path) =>
      log
        .all()
        .filter(
          (r) =>
            r.method === method.toUpperCase() &&
            (typeof path === 'string' ? r.path === path : path.test(r.path)),
        ),
    failNext: (count = 1, failure = { status: 500, type: 'api_error' }, scope = {}) => {
      rules.push({ remaining: count, failure, scope });
    },
    seedPrice,
    seedCustomer: (fields = {}) => {
      const customer = newCustomer({});
      customer.email = fields.email ?? null;
      customer.name = fields.name ?? null;
      customer.metadata = { ...(fields.metadata ?? {}) };
      customers.set(customer.id, customer);
      return customer;
    },
    customers: () => [...customers.values()],
    subscriptions: () => [...subscriptions.values()],
    prices: () => [...prices.values()],
    meterEvents: () => [...meterEvents],
    checkoutSessions: () => [...checkoutSessions.values()],
    getCheckoutSession: (id) => checkoutSessions.get(id),
    checkoutRequestOf: (id) => checkoutRequests.get(id),
    portalSessions: () => [...portalSessions],
    completeCheckoutSession,
    getCustomer: (id) => customers.get(id),
    getSubscription: (id) => subscriptions.get(id),
    updateSubscription: (id, changes) => {
      const sub = subscriptions.get(id);
      if (!sub) throw new Error(`stripe fake: no subscription ${id}`);
      const before = snapshot(sub);
      Object.assign(sub, changes);
      if (changes.current_period_start !== undefined || changes.current_period_end !== undefined) {
        setPeriod(sub, sub.current_period_start, sub.current_period_end);
      }
      if (changes.status === 'canceled') {
        sub.canceled_at = sub.canceled_at ?? nowSeconds();
        sub.ended_at = sub.ended_at ?? nowSeconds();
        emit('customer.subscription.deleted', sub);
      } else {
        emitUpdated(sub, before);
      }
      return sub;
    },
    events: () => [...events],
    createEvent: (type, object, previousAttributes) => emit(type, object, previousAttributes),
    deliverEvent,
    setWebhookEndpoint: (endpoint) => {
      webhook = endpoint;
    },
    get webhookDeliveries() {
      return deliveries;
    },
    reset: () => {
      customers.clear();
      deletedCustomers.clear();
      subscriptions.clear();
      prices.clear();
      meterEvents.length = 0;
      meterIdentifiers.clear();
      checkoutSessions.clear();
      checkoutRequests.clear();
      portalSessions.length = 0;
      idempotency.clear();
      events.length = 0;
      deliveries.length = 0;
      rules = [];
      log.clear();
      seedAll();
    },
    close: () => started.close(),
  };
}

function defaultFailureMessage(failure: StripeFakeFailure): string {
  switch (failure.type) {
    case 'api_error':
      return 'An unknown error occurred (injected by the Stripe fake).';
    case 'rate_limit_error':
      return 'Too many requests hit the API too quickly.';
    case 'card_error':
      return 'Your card was declined.';
    default:
      return `Injected ${failure.type} (${failure.status}).`;
  }
}
