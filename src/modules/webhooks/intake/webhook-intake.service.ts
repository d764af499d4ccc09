import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { AppConfig } from '../../../platform/config/app-config';
import { parseStorableJson } from '../../../platform/http';
import { LoggerFactory } from '../../../platform/observability/logger.factory';
import {
  asObject,
  asString,
  epochToDate,
  isLiveKey,
  labelValue,
  metadataOf,
  tenantFromMetadata,
} from '../../billing';
import { toEventContext, StripeEventDispatcher } from '../dispatch/stripe-event.dispatcher';
import { StreamRelay } from '../dispatch/stream-relay.service';
import { DispatchRepository } from '../events/dispatch.repository';
import { StripeEventRepository, type StreamOutbox } from '../events/stripe-event.repository';
import { HandlerRegistry } from '../handlers/handler-registry';
import { WebhookErrorCode, WebhookException } from '../webhooks.errors';
import { WebhooksMetrics } from '../webhooks.metrics';
import { WebhookSignatureVerifier } from './webhook-signature.verifier';

export interface IntakeResult {
  duplicate: boolean;
}

interface VerifiedEvent {
  id: string;
  type: string;
  created: Date | null;
  livemode: boolean | null;
  payload: Record<string, unknown>;
  tenantHint: string | null;
}

const MAX_EVENT_ID = 64;
const MAX_EVENT_TYPE = 128;
const MAX_TENANT_HINT = 64;

/**
 * `POST /webhooks/stripe` (decision B2): verify the raw bytes, store the event once
 * (`INSERT ... ON CONFLICT DO NOTHING`) together with its pending dispatch row, answer 2xx as soon
 * as that is durable, and dispatch right after. A duplicate of an event that never finished
 * processing resumes it instead of being ignored.
 */
@Injectable()
export class WebhookIntakeService {
  private readonly log: Logger;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly verifier: WebhookSignatureVerifier,
    private readonly events: StripeEventRepository,
    private readonly dispatches: DispatchRepository,
    private readonly registry: HandlerRegistry,
    private readonly dispatcher: StripeEventDispatcher,
    private readonly relay: StreamRelay,
    private readonly metrics: WebhooksMetrics,
    loggers: LoggerFactory,
  ) {
    this.log = loggers.get('anything-agents.webhooks.stripe');
  }

  async receive(rawBody: Buffer | undefined, signature: string | undefined): Promise<IntakeResult> {
    const event = this.verify(rawBody, signature);
    this.metrics.observeLag('received', event.created);
    const handler = this.registry.forType(event.type);
    const outbox = handler ? null : this.unhandledOutbox(event);
    const rowId = await this.dataSource.transaction(async (manager) => {
      const id = await this.events.insertIfNew(
        {
          stripeEventId: event.id,
          eventType: event.type,
          payload: event.payload,
          tenantHint: event.tenantHint,
          stripeCreatedAt: event.created,
          processed: !handler,
          stream: outbox,
        },
        manager,
      );
      if (id && handler) await this.dispatches.createPending(id, handler.name, manager);
      return id;
    });
    if (!rowId) return this.duplicate(event);

    this.metrics.events.inc({ event_type: labelValue(event.type), result: 'stored' });
    this.log.info(
      { stripe_event_id: event.id, event_type: event.type, tenant: event.tenantHint },
      'Stripe event stored',
    );
    if (handler) {
      this.dispatcher.dispatchSoon(rowId);
    } else if (outbox) {
      this.publishSoon(rowId, event, outbox);
    }
    return { duplicate: false };
  }

  /** The checks before anything is stored: secret, header, UTF-8, signature, JSON, livemode. */
  private verify(rawBody: Buffer | undefined, signature: string | undefined): VerifiedEvent {
    if (!this.verifier.configured) {
      this.log.error('Stripe webhook received but STRIPE_WEBHOOK_SECRET is not configured');
      throw new WebhookException(
        503,
        'Webhook secret not configured.',
        WebhookErrorCode.SecretMissing,
      );
    }
    if (!signature?.trim()) {
      this.reject('missing_signature');
      throw new WebhookException(
        400,
        'Missing Stripe signature header.',
        WebhookErrorCode.MissingSignature,
      );
    }
    const text = decodeUtf8(rawBody);
    if (text === null) throw this.invalidPayload();
    try {
      this.verifier.verify(text, signature);
    } catch (error) {
      this.reject('invalid_signature');
      this.log.warn(
        { err: error instanceof Error ? error.message : String(error) },
        'Stripe webhook signature verification failed',
      );
      throw new WebhookException(
        400,
        'Signature verification failed.',
        WebhookErrorCode.InvalidSignature,
      );
    }
    return this.parse(text);
  }

  private parse(text: string): VerifiedEvent {
    let parsed: unknown;
    try {
      // Signed by Stripe, so never refused for its text: NUL and lone surrogates (which Postgres
      // cannot store) are cleaned from every field before anything is stored (docs/text-input.md).
      parsed = parseStorableJson(text);
    } catch {
      throw this.invalidPayload();
    }
    const payload = asObject(parsed);
    const id = asString(payload?.id);
    if (!payload || !id || id.length > MAX_EVENT_ID) throw this.invalidPayload();
    const type = (asString(payload.type) ?? 'unknown').slice(0, MAX_EVENT_TYPE);
    const livemode = typeof payload.livemode === 'boolean' ? payload.livemode : null;
    if (livemode !== null && livemode !== isLiveKey(this.config.STRIPE_SECRET_KEY)) {
      this.metrics.events.inc({ event_type: labelValue(type), result: 'livemode_mismatch' });
      this.log.warn(
        { stripe_event_id: id, event_type: type, livemode },
        'Stripe event livemode does not match the configured key mode; not processed',
      );
      throw new WebhookException(
        400,
        'Event livemode does not match the configured Stripe key mode.',
        WebhookErrorCode.LivemodeMismatch,
      );
    }
    const object = asObject(asObject(payload.data)?.object);
    const hint = tenantFromMetadata(metadataOf(object?.metadata));
    return {
      id,
      type,
      created: epochToDate(payload.created),
      livemode,
      payload,
      tenantHint: hint && hint.length <= MAX_TENANT_HINT ? hint : null,
    };
  }

  /** Stored already: processed ones are acknowledged; unfinished ones are resumed. */
  private async duplicate(event: VerifiedEvent): Promise<IntakeResult> {
    const stored = await this.events.findByStripeId(event.id);
    let resumed = false;
    if (stored && stored.processingOutcome !== 'processed') {
      const handler = this.registry.forType(stored.eventType);
      if (handler) {
        // Failed or dead rows become due now; a row another worker is running stays its.
        await this.dispatches.createPending(stored.id, handler.name);
        await this.dispatches.resume(stored.id);
        this.dispatcher.dispatchSoon(stored.id);
        resumed = true;
      }
    }
    this.metrics.events.inc({ event_type: labelValue(event.type), result: 'duplicate' });
    this.log.info(
      { stripe_event_id: event.id, event_type: event.type, resumed },
      resumed ? 'Duplicate of an unfinished Stripe event; resuming it' : 'Duplicate Stripe event',
    );
    return { duplicate: true };
  }

  /** Events without a handler are published with the tenant hint only, as in the reference. */
  private unhandledOutbox(event: VerifiedEvent): StreamOutbox | null {
    return this.relay.build(
      toEventContext({
        id: '',
        stripeEventId: event.id,
        eventType: event.type,
        payload: event.payload,
        tenantHint: event.tenantHint,
        stripeCreatedAt: event.created,
      }),
      {
        outcome: 'ignored',
        tenantId: event.tenantHint,
        broadcast: { summary: null, status: null },
      },
      new Date(),
      'webhook',
    );
  }

  private publishSoon(rowId: string, event: VerifiedEvent, outbox: StreamOutbox): void {
    setImmediate(() => {
      void this.relay.publish(
        rowId,
        { eventType: event.type, stripeEventId: event.id },
        outbox,
        'webhook',
      );
    });
  }

  private reject(result: string): void {
    this.metrics.events.inc({ event_type: 'unknown', result });
  }

  private invalidPayload(): WebhookException {
    this.reject('invalid_json');
    return new WebhookException(400, 'Invalid payload.', WebhookErrorCode.InvalidPayload);
  }
}

function decodeUtf8(body: Buffer | undefined): string | null {
  if (!body || body.length === 0) return null;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    return null;
  }
}
