export * from './openai-fake';
export * from './stripe-fake';
export * from './stripe-form';
export * from './vault-fake';
export * from './smtp-fake';
export * from './tavily-fake';
export * from './otlp-receiver';
export type { JsonObject, JsonValue } from './http-helpers';
