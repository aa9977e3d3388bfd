import { randomBytes } from 'node:crypto';
import type Router from '@koa/router';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Services } from '../../services';
import { NotFoundError, TryAgainError } from '../../domain/errors';
import { defineRoute } from '../route';
import { NoFields } from '../schemas/request-body.schemas';
import { generateWebhookSecret } from '../../webhooks/webhook-secrets';
import { withinMs } from '../../webhooks/webhook-emitter';
import {
  deleteSubscription,
  findDelivery,
  findSubscription,
  insertSubscription,
  listDeliveries,
  listSubscriptions,
  markPending,
  updateSubscription,
} from '../../webhooks/webhook-store';
import {
  CreateWebhookBody,
  DeliveryParams,
  UpdateWebhookBody,
  WebhookDeliveryJson,
  WebhookDeliveryList,
  WebhookIdParams,
  WebhookJson,
  WebhookList,
  WebhookWithSecretJson,
  toDeliveryJson,
  toWebhookJson,
} from '../schemas/webhook.schemas';

const TAGS = ['Webhooks'];
const admin = ['admin'] as const;
const NOT_FOUND = { 404: { description: 'No such subscription' } };
/** The newest deliveries are what an operator looks at; older ones stay in SQL. */
const DELIVERY_PAGE = 100;

/** Subscriptions to Standard Webhooks deliveries (see src/webhooks), for admins. */
export function webhookRoutes(router: Router, registry: OpenAPIRegistry, services: Services): void {
  const em = () => services.orm.em;
  const { secrets } = services.webhooks;
  const existing = async (id: string) => {
    const found = await findSubscription(em(), id);
    if (!found) throw new NotFoundError('Webhook subscription not found.');
    return found;
  };

  defineRoute(router, registry, services, {
    method: 'post',
    path: '/api/webhooks',
    summary: 'Subscribe a URL to events',
    description: 'The answer carries the signing `secret`, shown only here and on rotation.',
    tags: TAGS,
    auth: admin,
    body: CreateWebhookBody,
    idempotent: true,
    responses: { 201: { description: 'The subscription, with its secret', schema: WebhookWithSecretJson } },
    async handler(ctx, { body, user }) {
      const secret = generateWebhookSecret();
      const now = new Date().toISOString();
      const subscription = {
        id: `wh_${randomBytes(12).toString('hex')}`,
        url: body.url,
        events: body.events,
        active: body.active ?? true,
        createdAt: now,
        updatedAt: now,
      };
      await insertSubscription(em(), { ...subscription, sealedSecret: secrets.seal(secret) }, user.id);
      ctx.status = 201;
      ctx.body = { ...toWebhookJson(subscription), secret };
    },
  });

  defineRoute(router, registry, services, {
    method: 'get',
    path: '/api/webhooks',
    summary: 'Every subscription, oldest first (never the secrets)',
    tags: TAGS,
    auth: admin,
    responses: { 200: { description: 'The subscriptions', schema: WebhookList } },
    async handler(ctx) {
      ctx.body = { items: (await listSubscriptions(em())).map(toWebhookJson), nextCursor: null };
    },
  });

  defineRoute(router, registry, services, {
    method: 'get',
    path: '/api/webhooks/{id}',
    summary: 'One subscription (never its secret)',
    tags: TAGS,
    auth: admin,
    params: WebhookIdParams,
    responses: { 200: { description: 'The subscription', schema: WebhookJson }, ...NOT_FOUND },
    async handler(ctx, { params }) {
      ctx.body = toWebhookJson(await existing(params.id));
    },
  });

  defineRoute(router, registry, services, {
    method: 'patch',
    path: '/api/webhooks/{id}',
    summary: "Change a subscription's URL, events, or whether it is active",
    tags: TAGS,
    auth: admin,
    params: WebhookIdParams,
    body: UpdateWebhookBody,
    responses: { 200: { description: 'The subscription after the change', schema: WebhookJson }, ...NOT_FOUND },
    async handler(ctx, { params, body }) {
      await existing(params.id);
      await updateSubscription(em(), params.id, body);
      ctx.body = toWebhookJson(await existing(params.id));
    },
  });

  defineRoute(router, registry, services, {
    method: 'delete',
    path: '/api/webhooks/{id}',
    summary: 'Delete a subscription and its delivery log',
    tags: TAGS,
    auth: admin,
    params: WebhookIdParams,
    responses: { 204: { description: 'Deleted' }, ...NOT_FOUND },
    async handler(ctx, { params }) {
      if (!(await deleteSubscription(em(), params.id))) throw new NotFoundError('Webhook subscription not found.');
      ctx.status = 204;
    },
  });

  defineRoute(router, registry, services, {
    method: 'post',
    path: '/api/webhooks/{id}/rotate-secret',
    summary: 'Replace the signing secret',
    description: 'Attempts from now on are signed with the new secret only.',
    tags: TAGS,
    auth: admin,
    params: WebhookIdParams,
    // No fields: anything sent is refused rather than silently ignored.
    body: NoFields,
    bodyRequired: false,
    responses: { 200: { description: 'The subscription, with its new secret', schema: WebhookWithSecretJson }, ...NOT_FOUND },
    async handler(ctx, { params }) {
      await existing(params.id);
      const secret = generateWebhookSecret();
      await updateSubscription(em(), params.id, { sealedSecret: secrets.seal(secret) });
      ctx.body = { ...toWebhookJson(await existing(params.id)), secret };
    },
  });

  defineRoute(router, registry, services, {
    method: 'get',
    path: '/api/webhooks/{id}/deliveries',
    summary: `The subscription's newest deliveries (up to ${DELIVERY_PAGE}), newest first`,
    tags: TAGS,
    auth: admin,
    params: WebhookIdParams,
    responses: { 200: { description: 'Deliveries with their last attempt', schema: WebhookDeliveryList }, ...NOT_FOUND },
    async handler(ctx, { params }) {
      await existing(params.id);
      ctx.body = { items: (await listDeliveries(em(), params.id, DELIVERY_PAGE)).map(toDeliveryJson), nextCursor: null };
    },
  });

  defineRoute(router, registry, services, {
    method: 'post',
    path: '/api/webhooks/{id}/deliveries/{deliveryId}/redeliver',
    summary: 'Send a delivery again, with the same `webhook-id` and body',
    tags: TAGS,
    auth: admin,
    params: DeliveryParams,
    body: NoFields,
    bodyRequired: false,
    responses: {
      202: { description: 'Queued: the delivery, pending again', schema: WebhookDeliveryJson },
      404: { description: 'No such subscription, or no such delivery of it' },
      503: { description: 'The delivery queue cannot be reached (`try_again`, with `Retry-After`)' },
    },
    async handler(ctx, { params }) {
      const delivery = await findDelivery(em(), params.deliveryId);
      if (!delivery || delivery.subscriptionId !== params.id) throw new NotFoundError('Webhook delivery not found.');
      await markPending(em(), delivery.id);
      await withinMs(
        services.webhooks.queue.add(delivery.event, { deliveryId: delivery.id }, { jobId: `${delivery.id}-redeliver-${Date.now()}` }),
        3_000,
      ).catch(() => {
        throw new TryAgainError('The delivery queue cannot be reached; send this again shortly.', 5);
      });
      ctx.status = 202;
      ctx.body = toDeliveryJson({ ...delivery, status: 'pending' });
    },
  });
}
