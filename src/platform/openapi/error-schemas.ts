import type { OpenAPIObject } from '@nestjs/swagger';
type SchemaObject = NonNullable<NonNullable<OpenAPIObject['components']>['schemas']>[string];

const ERROR_RESPONSE: SchemaObject = {
  type: 'object',
  required: ['success', 'error', 'message', 'details', 'code'],
  properties: {
    success: { type: 'boolean', enum: [false] },
    error: {
      type: 'string',
      description: 'Human-readable detail (same as message, or "ValidationError")',
    },
    message: { type: 'string' },
    details: {
      nullable: true,
      description: 'Headers attached to the error, validation issues, or null',
    },
    code: {
      type: 'string',
      description: 'Stable machine code, e.g. not_found, invalid_credentials',
    },
    request_id: { type: 'string', nullable: true, description: 'Correlation id of the request' },
  },
};

const VALIDATION_ISSUE: SchemaObject = {
  type: 'object',
  required: ['type', 'loc', 'msg', 'input'],
  properties: {
    type: { type: 'string' },
    loc: { type: 'array', items: { oneOf: [{ type: 'string' }, { type: 'integer' }] } },
    msg: { type: 'string' },
    input: {},
    ctx: { type: 'object', additionalProperties: true },
  },
};

/**
 * Documents the real error envelope (`ErrorResponse`) for every operation's 4XX/5XX and the 422
 * validation body, instead of FastAPI's never-sent `{"detail": [...]}`.
 */
export function applyErrorSchemas(document: OpenAPIObject): void {
  document.components ??= {};
  document.components.schemas ??= {};
  document.components.schemas.ErrorResponse = ERROR_RESPONSE;
  document.components.schemas.ValidationError = VALIDATION_ISSUE;
  document.components.schemas.HTTPValidationError = {
    allOf: [
      { $ref: '#/components/schemas/ErrorResponse' },
      {
        type: 'object',
        properties: {
          details: { type: 'array', items: { $ref: '#/components/schemas/ValidationError' } },
        },
      },
    ],
  };
  for (const item of Object.values(document.paths)) {
    for (const operation of [item.get, item.post, item.put, item.patch, item.delete]) {
      if (!operation) continue;
      operation.responses ??= {};
      const ref = (name: string) => ({
        content: { 'application/json': { schema: { $ref: `#/components/schemas/${name}` } } },
      });
      operation.responses['422'] ??= {
        description: 'Validation Error',
        ...ref('HTTPValidationError'),
      };
      operation.responses['4XX'] ??= { description: 'Client error', ...ref('ErrorResponse') };
      operation.responses['5XX'] ??= { description: 'Server error', ...ref('ErrorResponse') };
    }
  }
}
