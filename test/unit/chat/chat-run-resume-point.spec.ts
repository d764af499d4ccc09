import { resumePointOf } from '../../../src/modules/chat/runs/chat-run-resume-point';
import { RequestValidationException } from '../../../src/platform/http/validation/request-validation.exception';

const refusal = (header: string | undefined, query: unknown): RequestValidationException => {
  try {
    resumePointOf(header, query);
  } catch (error) {
    if (error instanceof RequestValidationException) return error;
    throw error;
  }
  throw new Error('expected a RequestValidationException');
};

describe('resumePointOf: where a resumed stream starts', () => {
  it('starts from the first frame (0) when neither header nor query is given', () => {
    expect(resumePointOf(undefined, undefined)).toBe(0);
  });

  it.each([
    ['12', 12],
    ['0', 0],
    [' 7 ', 7],
    ['007', 7],
  ])('reads the header %p as event id %p', (header, expected) => {
    expect(resumePointOf(header, undefined)).toBe(expected);
  });

  it('reads the last_event_id query when there is no header', () => {
    expect(resumePointOf(undefined, '12')).toBe(12);
  });

  it('prefers the Last-Event-ID header over the query', () => {
    expect(resumePointOf('5', '12')).toBe(5);
    // The query is not even validated when the header is there.
    expect(resumePointOf('5', 'abc')).toBe(5);
  });

  it.each(['abc', '-1', '1.5', '', '1e3', '12345678901'])(
    'refuses the header %p with a 422 naming the header',
    (header) => {
      const error = refusal(header, '3');
      expect(error.getStatus()).toBe(422);
      expect(error.issues).toEqual([
        expect.objectContaining({ type: 'int_parsing', loc: ['header', 'last-event-id'] }),
      ]);
    },
  );

  it.each(['abc', '-1', '1.5', ['1', '2'], 12])(
    'refuses the query %p with a 422 naming the query',
    (query) => {
      const error = refusal(undefined, query);
      expect(error.getStatus()).toBe(422);
      expect(error.issues).toEqual([
        expect.objectContaining({ type: 'int_parsing', loc: ['query', 'last_event_id'] }),
      ]);
    },
  );
});
