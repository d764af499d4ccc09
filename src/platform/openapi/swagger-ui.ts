import type { OpenAPIObject, SwaggerCustomOptions } from '@nestjs/swagger';
import { AppConfig } from '../config/app-config';

/** The tag FastAPI-compatible `/openapi.json` puts on every `/api` operation. */
const UMBRELLA_TAG = 'api';

/** Swagger UI groups, in the order a newcomer meets them, with one line each. */
const AREAS: readonly { name: string; description: string }[] = [
  { name: 'auth', description: 'Sign up, log in (the token route), sessions, passwords, email' },
  { name: 'members', description: "A tenant's members and their roles" },
  { name: 'audit', description: "A tenant's audit log of member and account changes" },
  { name: 'chat', description: 'Talk to the agents, as one JSON reply or an SSE stream' },
  { name: 'conversations', description: 'Your stored conversations' },
  { name: 'agents', description: 'The agent catalog and per-agent status' },
  { name: 'tools', description: 'Tools the agents can call, and whether they are available here' },
  { name: 'billing', description: 'Plans, subscriptions, usage and the billing stream' },
  { name: 'webhooks', description: 'Stripe webhook intake' },
  { name: 'health', description: 'Liveness, readiness and startup probes' },
  { name: 'Root', description: 'Service descriptor' },
];

/** Routes whose successful answer carries an `access_token` the page can authorize with. */
export const TOKEN_ROUTES: readonly string[] = [
  '/api/v1/auth/token',
  '/api/v1/auth/refresh',
  '/api/v1/auth/register',
  '/api/v1/auth/service-accounts/token',
];

const PRODUCT_DESCRIPTION =
  'The multi-tenant backend for AI-agent products: auth (Ed25519 JWTs, sessions, email ' +
  'verification, service accounts), agent chat with SSE streaming and conversation memory, ' +
  'and Stripe billing.';

const AUTHORIZE_GUIDE = [
  '**Authorize in this page:** open *auth*, run `POST /api/v1/auth/token` ("Try it out") with',
  'your email and password. The page then authorizes itself with the returned `access_token`',
  '(so do a refresh, a registration or a service-account token exchange). To use another token,',
  'click **Authorize** and paste the bare `access_token` (no `Bearer ` prefix). The token is',
  'kept across reloads of this page until you log out in the dialog.',
].join(' ');

/**
 * The document Swagger UI renders: `/openapi.json` keeps the reference's `api` + group tags and
 * info values for generated clients, while the page lists every operation once, under its area,
 * with a title and description that name this product and say how to authorize.
 */
export function swaggerUiDocument(document: OpenAPIObject, config: AppConfig): OpenAPIObject {
  const ui = structuredClone(document);
  const used = new Set<string>();
  for (const item of Object.values(ui.paths)) {
    for (const operation of [item.get, item.put, item.post, item.delete, item.patch]) {
      if (!operation?.tags) continue;
      const specific = operation.tags.filter((tag) => tag !== UMBRELLA_TAG);
      if (specific.length > 0) operation.tags = specific;
      operation.tags.forEach((tag) => used.add(tag));
    }
  }
  const known = AREAS.filter((area) => used.has(area.name));
  const others = [...used]
    .filter((tag) => !AREAS.some((area) => area.name === tag))
    .map((name) => ({ name }));
  ui.tags = [...known, ...others];

  const configured = config.APP_DESCRIPTION.trim();
  const description =
    configured === new AppConfig().APP_DESCRIPTION ? PRODUCT_DESCRIPTION : configured;
  ui.info = {
    ...ui.info,
    title: `${config.APP_NAME} API`,
    description: `${description}\n\n${AUTHORIZE_GUIDE}`,
  };
  const bearer = ui.components?.securitySchemes?.bearer;
  if (bearer && !('$ref' in bearer)) {
    bearer.description =
      'The `access_token` from `POST /api/v1/auth/token` (filled in automatically after a login here).';
  }
  return ui;
}

/**
 * Browser code for Swagger UI's `responseInterceptor`: after a successful call to a token route,
 * authorize the page with the returned access token. Swagger UI's init script embeds option
 * functions by their source text, so this is kept as source (independent of how TypeScript or a
 * coverage tool would rewrite a compiled function).
 */
export const CAPTURE_TOKEN_SOURCE = `function (response) {
  try {
    var routes = ${JSON.stringify(TOKEN_ROUTES)};
    var path = String(response.url || '').replace(/^[a-z]+:\\/\\/[^/]+/i, '').split('?')[0];
    if (response.ok !== false && response.status >= 200 && response.status < 300 && routes.indexOf(path) !== -1) {
      var body = response.body || response.obj;
      if (!body && typeof response.text === 'string') body = JSON.parse(response.text);
      if (body && typeof body.access_token === 'string' && window.ui) {
        window.ui.preauthorizeApiKey('bearer', body.access_token);
      }
    }
  } catch (error) {
    /* not a token response: nothing to do */
  }
  return response;
}`;

/** A function value whose source text (what Swagger UI's init script embeds) is `source`. */
function browserFunction(source: string): () => void {
  const fn = (): void => undefined;
  fn.toString = () => source;
  return fn;
}

/** Swagger UI page options: product title, kept authorization, token capture from login. */
export function swaggerUiOptions(config: AppConfig): SwaggerCustomOptions {
  return {
    customSiteTitle: `${config.APP_NAME} API docs`,
    swaggerOptions: {
      persistAuthorization: true,
      displayRequestDuration: true,
      tryItOutEnabled: true,
      responseInterceptor: browserFunction(CAPTURE_TOKEN_SOURCE),
    },
  };
}
