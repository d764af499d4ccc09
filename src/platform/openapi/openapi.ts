import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type { AppConfig } from '../config/app-config';
import { applyErrorSchemas } from './error-schemas';
import { applyFastApiOperationIds } from './operation-ids';
import { swaggerUiDocument, swaggerUiOptions } from './swagger-ui';

export function buildOpenApiDocument(app: INestApplication, config: AppConfig): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle(config.APP_NAME)
    .setDescription(config.APP_DESCRIPTION)
    .setVersion(config.APP_VERSION)
    .setOpenAPIVersion('3.1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer');
  const document = SwaggerModule.createDocument(app, builder.build(), {
    operationIdFactory: (_controller, method) => method,
  });
  applyFastApiOperationIds(document);
  applyErrorSchemas(document);
  return document;
}

/**
 * `/openapi.json` always (the frontend's generator fetches it, reference tags and info); Swagger
 * UI at `/docs` when enabled, rendering its own view of the same document (swagger-ui.ts).
 */
export function mountOpenApi(app: INestApplication, config: AppConfig): void {
  const document = buildOpenApiDocument(app, config);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'openapi.json',
    swaggerUiEnabled: false,
    raw: ['json'],
  });
  if (!config.ENABLE_API_DOCS) return;
  SwaggerModule.setup('docs', app, swaggerUiDocument(document, config), {
    ...swaggerUiOptions(config),
    raw: false,
  });
}
