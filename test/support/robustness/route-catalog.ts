import { RawBodyRoutes } from '../../../src/platform/http/raw-body-routes';
import { RouteTableHolder } from '../../../src/platform/http/route-table.holder';
import type { TestApp } from '../test-app';

/** The subset of JSON Schema the OpenAPI document uses for request bodies and parameters. */
export interface JsonSchema {
  type?: string;
  format?: string;
  nullable?: boolean;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  $ref?: string;
}

interface OpenApiOperation {
  security?: Record<string, unknown>[];
  parameters?: { name: string; in: string; schema?: JsonSchema }[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
  responses?: Record<string, unknown>;
}

interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

/** One method of one served route, joined with what the OpenAPI document says about it. */
export interface CatalogRoute {
  method: string;
  /** Express template, e.g. `/api/v1/billing/tenants/:tenant_id/usage`. */
  path: string;
  /** Path parameter names, in order. */
  params: string[];
  /** Query parameter names the operation documents. */
  queryParams: string[];
  /** The JSON request body schema ($refs resolved), when the operation declares one. */
  bodySchema?: JsonSchema;
  /** The operation is documented with bearer security. */
  bearer: boolean;
  /** The route reads its raw bytes itself (signed webhooks): no JSON parsing before it. */
  rawBody: boolean;
  /** Status codes the operation documents explicitly (e.g. 503 for readiness). */
  documentedStatuses: number[];
  /** Whether the OpenAPI document lists the operation at all. */
  documented: boolean;
}

export const MUTATING_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE'];

function resolve(schema: JsonSchema | undefined, doc: OpenApiDocument, depth = 0): JsonSchema {
  if (!schema) return {};
  if (depth > 8) return schema;
  if (schema.$ref) {
    const name = schema.$ref.replace('#/components/schemas/', '');
    return resolve(doc.components?.schemas?.[name], doc, depth + 1);
  }
  const properties = schema.properties
    ? Object.fromEntries(
        Object.entries(schema.properties).map(([key, value]) => [
          key,
          resolve(value, doc, depth + 1),
        ]),
      )
    : undefined;
  return { ...schema, properties, items: schema.items && resolve(schema.items, doc, depth + 1) };
}

/**
 * Every route of the running app, read from its route table (so routes added later are covered
 * without touching the tests), each method joined with its OpenAPI operation.
 */
export async function routeCatalog(t: TestApp): Promise<CatalogRoute[]> {
  const doc = (await t.http.get('/openapi.json').expect(200)).body as OpenApiDocument;
  const rawBodyRoutes = t.app.get(RawBodyRoutes);
  const routes: CatalogRoute[] = [];
  for (const { path, methods } of t.app.get(RouteTableHolder).table.list()) {
    const params = [...path.matchAll(/:(\w+)/g)].map((m) => m[1]);
    const openApiPath = path.replace(/:(\w+)/g, '{$1}');
    for (const method of methods) {
      const operation = doc.paths[openApiPath]?.[method.toLowerCase()];
      const bodySchema = operation?.requestBody?.content?.['application/json']?.schema;
      routes.push({
        method,
        path,
        params,
        queryParams: (operation?.parameters ?? [])
          .filter((p) => p.in === 'query')
          .map((p) => p.name),
        bodySchema: bodySchema ? resolve(bodySchema, doc) : undefined,
        bearer: (operation?.security ?? []).some((entry) => 'bearer' in entry),
        rawBody: rawBodyRoutes.has(path),
        documentedStatuses: Object.keys(operation?.responses ?? {})
          .filter((code) => /^\d{3}$/.test(code))
          .map(Number),
        documented: operation !== undefined,
      });
    }
  }
  return routes;
}

/** `GET /a/:b` style label. */
export function routeLabel(route: Pick<CatalogRoute, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}

/** The template with its parameters replaced (values are inserted as given: already encoded). */
export function fillPath(path: string, values: Record<string, string>): string {
  return path.replace(/:(\w+)/g, (_match, name: string) => values[name] ?? 'x');
}
