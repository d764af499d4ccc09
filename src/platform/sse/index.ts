export { pythonJson } from './python-json';
export { SseModule } from './sse.module';
export { SseService, type OpenStreamOptions } from './sse.service';
export { SseStream, type SseEndReason } from './sse-stream';
export { StallDetector, type BacklogState } from './stall-detector';
