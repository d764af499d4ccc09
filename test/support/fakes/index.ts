export * from './openai-fake';
