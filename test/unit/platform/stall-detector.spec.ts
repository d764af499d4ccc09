import { StallDetector } from '../../../src/platform/sse/stall-detector';

describe('StallDetector (SSE backpressure, docs/streams.md)', () => {
  it('is flowing at or under the bound', () => {
    const detector = new StallDetector(1000, 500);
    expect(detector.observe(0, 0)).toBe('flowing');
    expect(detector.observe(1000, 10_000)).toBe('flowing');
    expect(detector.backloggedFor(10_000)).toBe(0);
  });

  it('is backlogged over the bound, and stalled once over it for the whole timeout', () => {
    const detector = new StallDetector(1000, 500);
    expect(detector.observe(1001, 100)).toBe('backlogged');
    expect(detector.observe(5000, 599)).toBe('backlogged');
    expect(detector.backloggedFor(599)).toBe(499);
    expect(detector.observe(5000, 600)).toBe('stalled');
  });

  it('starts over when the buffer comes back under the bound (a slow reader is not stalled)', () => {
    const detector = new StallDetector(1000, 500);
    expect(detector.observe(2000, 0)).toBe('backlogged');
    expect(detector.observe(900, 400)).toBe('flowing');
    expect(detector.observe(2000, 450)).toBe('backlogged');
    expect(detector.observe(2000, 900)).toBe('backlogged');
    expect(detector.observe(2000, 950)).toBe('stalled');
  });
});
