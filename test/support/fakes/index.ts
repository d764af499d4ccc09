export * from './openai-fake';
export * from './stripe-fake';
export * from './stripe-form';
