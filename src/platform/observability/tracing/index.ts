export { GenAi } from './gen-ai-attributes';
export {
  activeTraceIds,
  annotateActiveSpan,
  inSpan,
  inStreamSpan,
  SpanKind,
  type SpanOptions,
} from './spans';
export { serverSpanContext, withServerSpan } from './server-span';
export { TraceState } from './trace-state';
export { startTracing, type TracingHandle } from './tracing-sdk';
