import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { parseStripeForm, StripeFake, StripeFakePrice, startStripeFake } from '../../support/fakes';

describe('Stripe fake driven by stripe-node', () => {
  let fake: StripeFake;
  let stripe: Stripe;
  let price: StripeFakePrice;
  let meteredPrice: StripeFakePrice;

  beforeAll(async () => {
    fake = await startStripeFake({
      prices: [
        {
          id: 'price_pro_monthly',
          unit_amount: 2900,
          lookup_key: 'pro_monthly',
          product: 'prod_pro',
        },
        {
          id: 'price_tokens',
          unit_amount: null,
          recurring: { usage_type: 'metered', meter: 'mtr_tokens' },
        },
      ],
    });
    stripe = new Stripe('sk_test_fake_123', {
      host: fake.host,
      port: fake.port,
      protocol: fake.protocol,
      maxNetworkRetries: 2,
    });
  });
  beforeEach(() => {
    fake.reset();
    price = fake.prices().find((p) => p.id === 'price_pro_monthly') as StripeFakePrice;
    meteredPrice = fake.prices().find((p) => p.id === 'price_tokens') as StripeFakePrice;
  });
  afterAll(() => fake.close());

  it('parses Stripe form encoding, including pushed and indexed arrays', () => {
    expect(
      parseStripeForm(
        'expand[]=customer&expand[]=latest_invoice&items[1][price]=b&items[0][price]=a&metadata[t%20id]=x+y',
      ),
    ).toEqual({
      expand: ['customer', 'latest_invoice'],
      items: [{ price: 'a' }, { price: 'b' }],
      metadata: { 't id': 'x y' },
    });
  });

  it('creates a customer and records params, headers and idempotency key', async () => {
    const customer = await stripe.customers.create(
      { email: 'ada@example.com', name: 'Ada', metadata: { tenant_id: 't_1' } },
      { idempotencyKey: 'cust-t_1' },
    );
    expect(customer).toMatchObject({
      object: 'customer',
      email: 'ada@example.com',
      name: 'Ada',
      metadata: { tenant_id: 't_1' },
      livemode: false,
    });
    expect(customer.id).toMatch(/^cus_/);
    const recorded = fake.lastRequest();
    expect(recorded).toMatchObject({
      method: 'POST',
      path: '/v1/customers',
      params: { email: 'ada@example.com', name: 'Ada', metadata: { tenant_id: 't_1' } },
      idempotencyKey: 'cust-t_1',
      apiKey: 'sk_test_fake_123',
      status: 200,
    });
    expect(recorded?.stripeVersion).toBe(Stripe.API_VERSION);
    expect(recorded?.headers.authorization).toBe('Bearer sk_test_fake_123');
    expect(fake.getCustomer(customer.id)?.email).toBe('ada@example.com');
  });

  it('creates, retrieves, updates and cancels a subscription shaped like a current API version', async () => {
    const customer = await stripe.customers.create({ email: 'b@example.com' });
    const created = await stripe.subscriptions.create(
      {
        customer: customer.id,
        items: [{ price: price.id, quantity: 3 }],
        metadata: { tenant_id: 't_2', plan: 'pro' },
        expand: ['customer'],
      },
      { idempotencyKey: 'sub-t_2' },
    );
    expect(created.id).toMatch(/^sub_/);
    expect(created.status).toBe('active');
    expect(created.cancel_at_period_end).toBe(false);
    expect(created.cancel_at).toBeNull();
    expect(created.metadata).toEqual({ tenant_id: 't_2', plan: 'pro' });
    expect(typeof created.customer === 'object' && created.customer.id).toBe(customer.id);
    const [item] = created.items.data;
    expect(item.id).toMatch(/^si_/);
    expect(item.price).toMatchObject({
      id: 'price_pro_monthly',
      object: 'price',
      unit_amount: 2900,
    });
    expect(item.quantity).toBe(3);
    expect(item.current_period_start).toBe(created.start_date);
    expect(item.current_period_end - item.current_period_start).toBeGreaterThanOrEqual(28 * 86400);
    const legacy = created as unknown as {
      current_period_start: number;
      current_period_end: number;
    };
    expect(legacy.current_period_end).toBe(item.current_period_end);
    expect(fake.lastRequest()?.params).toMatchObject({
      customer: customer.id,
      items: [{ price: price.id, quantity: '3' }],
      expand: ['customer'],
    });

    const retrieved = await stripe.subscriptions.retrieve(created.id);
    expect(retrieved.customer).toBe(customer.id);

    const updated = await stripe.subscriptions.update(created.id, {
      cancel_at_period_end: true,
      metadata: { plan: '', seats: '5' },
      items: [{ id: item.id, quantity: 5 }],
    });
    expect(updated.cancel_at_period_end).toBe(true);
    expect(updated.cancel_at).toBe(item.current_period_end);
    expect(updated.metadata).toEqual({ tenant_id: 't_2', seats: '5' });
    expect(updated.items.data[0].quantity).toBe(5);

    const canceled = await stripe.subscriptions.cancel(created.id);
    expect(canceled.status).toBe('canceled');
    expect(canceled.canceled_at).not.toBeNull();
    expect(fake.getSubscription(created.id)?.status).toBe('canceled');
    expect(fake.events().map((e) => e.type)).toEqual([
      'customer.created',
      'customer.subscription.created',
      'customer.subscription.updated',
      'customer.subscription.deleted',
    ]);
    await expect(stripe.subscriptions.list({ customer: customer.id })).resolves.toMatchObject({
      data: [],
    });
    await expect(
      stripe.subscriptions.list({ customer: customer.id, status: 'canceled' }),
    ).resolves.toMatchObject({
      data: [{ id: created.id }],
    });
  });

  it('starts a trial when trial_period_days is given and supports metered items', async () => {
    const customer = await stripe.customers.create({});
    const sub = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }, { price: meteredPrice.id }],
      trial_period_days: 14,
    });
    expect(sub.status).toBe('trialing');
    expect(sub.trial_end).toBe(sub.start_date + 14 * 86400);
    expect(sub.items.data[0].current_period_end).toBe(sub.trial_end);
    expect(sub.items.data[1].quantity).toBeUndefined();
    const ended = await stripe.subscriptions.update(sub.id, { trial_end: 'now' });
    expect(ended.status).toBe('active');
  });

  it('rejects unknown prices and customers with Stripe errors', async () => {
    const customer = await stripe.customers.create({});
    await expect(
      stripe.subscriptions.create({ customer: customer.id, items: [{ price: 'price_missing' }] }),
    ).rejects.toMatchObject({
      type: 'StripeInvalidRequestError',
      code: 'resource_missing',
      param: 'items[0][price]',
      statusCode: 400,
    });
    const notFound = stripe.customers.retrieve('cus_missing');
    await expect(notFound).rejects.toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    await expect(notFound).rejects.toMatchObject({ statusCode: 404, code: 'resource_missing' });
  });

  it('deletes customers and retrieves them as deleted stubs', async () => {
    const customer = await stripe.customers.create({ email: 'gone@example.com' });
    await expect(stripe.customers.del(customer.id)).resolves.toMatchObject({
      id: customer.id,
      deleted: true,
    });
    await expect(stripe.customers.retrieve(customer.id)).resolves.toMatchObject({
      id: customer.id,
      deleted: true,
    });
    const updated = await stripe.customers.create({ email: 'x@example.com' });
    await expect(
      stripe.customers.update(updated.id, { email: 'y@example.com', metadata: { a: '1' } }),
    ).resolves.toMatchObject({ email: 'y@example.com', metadata: { a: '1' } });
  });

  it('records meter events and rejects a duplicate identifier', async () => {
    const customer = await stripe.customers.create({});
    const timestamp = Math.floor(Date.now() / 1000);
    const event = await stripe.billing.meterEvents.create({
      event_name: 'tokens',
      payload: { stripe_customer_id: customer.id, value: '1234' },
      identifier: 'usage-t1-2024-01-01',
      timestamp,
    });
    expect(event).toMatchObject({
      object: 'billing.meter_event',
      event_name: 'tokens',
      identifier: 'usage-t1-2024-01-01',
      payload: { stripe_customer_id: customer.id, value: '1234' },
      timestamp,
    });
    const duplicate = stripe.billing.meterEvents.create({
      event_name: 'tokens',
      payload: { stripe_customer_id: customer.id, value: '1' },
      identifier: 'usage-t1-2024-01-01',
    });
    await expect(duplicate).rejects.toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    await expect(duplicate).rejects.toMatchObject({
      code: 'resource_already_exists',
      param: 'identifier',
    });
    expect(fake.meterEvents()).toHaveLength(1);
  });

  it('lets stripe-node retry an injected 500 with the same Idempotency-Key', async () => {
    fake.failNext(
      1,
      { status: 500, type: 'api_error' },
      { method: 'POST', path: '/v1/billing/meter_events' },
    );
    const customer = await stripe.customers.create({});
    const event = await stripe.billing.meterEvents.create(
      {
        event_name: 'tokens',
        payload: { stripe_customer_id: customer.id, value: '5' },
        identifier: 'retry-1',
      },
      { idempotencyKey: 'meter-retry-1' },
    );
    expect(event.identifier).toBe('retry-1');
    const attempts = fake.requestsTo('POST', '/v1/billing/meter_events');
    expect(attempts.map((r) => [r.status, r.injected, r.idempotencyKey])).toEqual([
      [500, true, 'meter-retry-1'],
      [200, false, 'meter-retry-1'],
    ]);
    expect(fake.meterEvents()).toHaveLength(1);
  });

  it('surfaces an injected 400 as StripeInvalidRequestError without retrying', async () => {
    fake.failNext(1, {
      status: 400,
      type: 'invalid_request_error',
      code: 'parameter_invalid',
      message: 'bad',
      param: 'x',
    });
    const attempt = stripe.customers.create({ email: 'c@example.com' });
    await expect(attempt).rejects.toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    await expect(attempt).rejects.toMatchObject({
      code: 'parameter_invalid',
      message: 'bad',
      param: 'x',
    });
    expect(fake.requestsTo('POST', '/v1/customers')).toHaveLength(1);
    expect(fake.customers()).toHaveLength(0);
  });

  it('replays idempotent requests and rejects reuse with different params', async () => {
    const first = await stripe.customers.create(
      { email: 'i@example.com' },
      { idempotencyKey: 'same-key' },
    );
    const second = await stripe.customers.create(
      { email: 'i@example.com' },
      { idempotencyKey: 'same-key' },
    );
    expect(second.id).toBe(first.id);
    expect(second.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(fake.customers()).toHaveLength(1);
    expect(fake.lastRequest()?.replayed).toBe(true);

    const conflicting = stripe.customers.create(
      { email: 'other@example.com' },
      { idempotencyKey: 'same-key' },
    );
    await expect(conflicting).rejects.toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
  });

  it('finds seeded prices by lookup key and creates prices', async () => {
    const found = await stripe.prices.list({ lookup_keys: ['pro_monthly'] });
    expect(found.data.map((p) => p.id)).toEqual(['price_pro_monthly']);
    await expect(stripe.prices.retrieve('price_pro_monthly')).resolves.toMatchObject({
      recurring: { interval: 'month', interval_count: 1, usage_type: 'licensed' },
    });
    const createdPrice = await stripe.prices.create({
      currency: 'eur',
      unit_amount: 900,
      recurring: { interval: 'year' },
      product_data: { name: 'Yearly' },
    });
    expect(createdPrice.id).toMatch(/^price_/);
    expect(createdPrice.recurring?.interval).toBe('year');
  });

  it('answers bad auth and unknown URLs like Stripe', async () => {
    const noAuth = await fetch(`${fake.url}/v1/customers`);
    expect(noAuth.status).toBe(401);
    expect(await noAuth.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
    const badKey = new Stripe('pk_test_wrong', {
      host: fake.host,
      port: fake.port,
      protocol: 'http',
    });
    await expect(badKey.customers.list()).rejects.toBeInstanceOf(
      Stripe.errors.StripeAuthenticationError,
    );
    const unknown = await fetch(`${fake.url}/v1/nonexistent`, {
      headers: { Authorization: 'Bearer sk_test_x' },
    });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({
      error: {
        type: 'invalid_request_error',
        message: expect.stringContaining('Unrecognized request URL'),
      },
    });
  });

  it('delivers signed webhook events that stripe.webhooks.constructEvent accepts', async () => {
    const secret = 'whsec_test_secret';
    const received: Stripe.Event[] = [];
    const receiver: Server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const signature = String(req.headers['stripe-signature']);
        received.push(
          stripe.webhooks.constructEvent(Buffer.concat(chunks).toString('utf8'), signature, secret),
        );
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = receiver.address() as AddressInfo;
      fake.setWebhookEndpoint({ url: `http://127.0.0.1:${port}/webhooks/stripe`, secret });
      const customer = await stripe.customers.create({});
      await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
      const deadline = Date.now() + 3000;
      while (received.length < 2 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      expect(received.map((e) => e.type)).toEqual([
        'customer.created',
        'customer.subscription.created',
      ]);
      expect(fake.webhookDeliveries.every((d) => d.status === 200)).toBe(true);
    } finally {
      fake.setWebhookEndpoint(undefined);
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  });
  it('creates, retrieves and completes a subscription-mode Checkout Session', async () => {
    const customer = await stripe.customers.create({ metadata: { tenant_id: 't_co' } });
    const session = await stripe.checkout.sessions.create(
      {
        mode: 'subscription',
        customer: customer.id,
        line_items: [{ price: price.id, quantity: 3 }],
        subscription_data: {
          trial_period_days: 14,
          metadata: { tenant_id: 't_co', plan_code: 'pro' },
        },
        client_reference_id: 't_co',
        metadata: { tenant_id: 't_co' },
        success_url: 'https://app.example.com/billing/success',
        cancel_url: 'https://app.example.com/billing/cancel',
      },
      { idempotencyKey: 'checkout-t_co-1' },
    );
    expect(session).toMatchObject({
      object: 'checkout.session',
      mode: 'subscription',
      status: 'open',
      payment_status: 'unpaid',
      customer: customer.id,
      client_reference_id: 't_co',
      metadata: { tenant_id: 't_co' },
      subscription: null,
      success_url: 'https://app.example.com/billing/success',
      cancel_url: 'https://app.example.com/billing/cancel',
      amount_total: 2900 * 3,
      livemode: false,
    });
    expect(session.id).toMatch(/^cs_test_/);
    expect(session.url).toBe(`https://checkout.stripe.com/c/pay/${session.id}`);
    expect(session.expires_at).toBe(session.created + 24 * 60 * 60);
    expect(fake.lastRequest()).toMatchObject({
      method: 'POST',
      path: '/v1/checkout/sessions',
      idempotencyKey: 'checkout-t_co-1',
      params: {
        line_items: [{ price: price.id, quantity: '3' }],
        subscription_data: { trial_period_days: '14' },
      },
    });
    expect(fake.checkoutRequestOf(session.id)).toEqual({
      lineItems: [{ price: price.id, quantity: 3 }],
      subscriptionData: { trialPeriodDays: 14, metadata: { tenant_id: 't_co', plan_code: 'pro' } },
    });

    // The same key and params replay the same session; no second one exists.
    const replay = await stripe.checkout.sessions.create(
      {
        mode: 'subscription',
        customer: customer.id,
        line_items: [{ price: price.id, quantity: 3 }],
        subscription_data: {
          trial_period_days: 14,
          metadata: { tenant_id: 't_co', plan_code: 'pro' },
        },
        client_reference_id: 't_co',
        metadata: { tenant_id: 't_co' },
        success_url: 'https://app.example.com/billing/success',
        cancel_url: 'https://app.example.com/billing/cancel',
      },
      { idempotencyKey: 'checkout-t_co-1' },
    );
    expect(replay.id).toBe(session.id);
    expect(fake.lastRequest()?.replayed).toBe(true);
    expect(fake.checkoutSessions()).toHaveLength(1);

    const completion = fake.completeCheckoutSession(session.id);
    expect(completion.subscription).toMatchObject({
      status: 'trialing',
      customer: customer.id,
      metadata: { tenant_id: 't_co', plan_code: 'pro' },
    });
    expect(completion.subscription.items.data[0]).toMatchObject({
      quantity: 3,
      price: { id: price.id },
    });
    expect(completion.subscriptionCreated).toMatchObject({
      type: 'customer.subscription.created',
      data: { object: { id: completion.subscription.id } },
    });
    expect(completion.checkoutCompleted).toMatchObject({
      type: 'checkout.session.completed',
      data: {
        object: {
          id: session.id,
          status: 'complete',
          payment_status: 'no_payment_required',
          subscription: completion.subscription.id,
          customer: customer.id,
        },
      },
    });
    expect(
      fake
        .events()
        .map((e) => e.type)
        .slice(-2),
    ).toEqual(['customer.subscription.created', 'checkout.session.completed']);
    const retrieved = await stripe.checkout.sessions.retrieve(session.id);
    expect(retrieved).toMatchObject({
      status: 'complete',
      subscription: completion.subscription.id,
    });
    expect(() => fake.completeCheckoutSession(session.id)).toThrow(/complete/);
  });

  it('completes a session without trial as active, creating the customer when none was given', async () => {
    const session = await stripe.checkout.sessions.create({
      mode: 'subscription',
      line_items: [{ price: price.id }],
      success_url: 'https://app.example.com/ok',
    });
    expect(session).toMatchObject({
      customer: null,
      customer_creation: 'always',
      cancel_url: null,
    });
    const { subscription, session: completed } = fake.completeCheckoutSession(session.id);
    expect(subscription.status).toBe('active');
    expect(subscription.items.data[0].quantity).toBe(1);
    expect(completed.customer).toMatch(/^cus_/);
    expect(fake.getCustomer(completed.customer as string)).toBeDefined();
    expect(completed.payment_status).toBe('paid');
  });

  it('rejects bad Checkout params and unknown sessions like Stripe', async () => {
    await expect(
      stripe.checkout.sessions.create({
        mode: 'subscription',
        line_items: [{ price: 'price_nope', quantity: 1 }],
        success_url: 'https://app.example.com/ok',
      }),
    ).rejects.toMatchObject({
      type: 'StripeInvalidRequestError',
      code: 'resource_missing',
      param: 'line_items[0][price]',
    });
    await expect(
      stripe.checkout.sessions.create({
        mode: 'subscription',
        customer: 'cus_missing',
        line_items: [{ price: price.id }],
      }),
    ).rejects.toMatchObject({ code: 'resource_missing', param: 'customer' });
    await expect(stripe.checkout.sessions.retrieve('cs_test_missing')).rejects.toMatchObject({
      statusCode: 404,
      code: 'resource_missing',
    });
  });

  it('creates Customer Portal sessions for existing customers', async () => {
    const customer = await stripe.customers.create({ email: 'portal@example.com' });
    const session = await stripe.billingPortal.sessions.create(
      { customer: customer.id, return_url: 'https://app.example.com/settings/billing' },
      { idempotencyKey: 'portal-1' },
    );
    expect(session).toMatchObject({
      object: 'billing_portal.session',
      customer: customer.id,
      return_url: 'https://app.example.com/settings/billing',
      livemode: false,
    });
    expect(session.id).toMatch(/^bps_/);
    expect(session.url).toMatch(/^https:\/\/billing\.stripe\.com\/p\/session\//);
    expect(fake.lastRequest()).toMatchObject({
      path: '/v1/billing_portal/sessions',
      idempotencyKey: 'portal-1',
      params: { customer: customer.id, return_url: 'https://app.example.com/settings/billing' },
    });
    expect(fake.portalSessions()).toHaveLength(1);
    await expect(
      stripe.billingPortal.sessions.create({ customer: 'cus_missing' }),
    ).rejects.toMatchObject({ code: 'resource_missing', param: 'customer' });
  });
});
