import { isUniqueViolation, named, rowsOf, type Sql } from '../../../src/platform/database';

/** A query runner that answers `result`, as TypeORM's would. */
const answering = (result: unknown): Sql => ({ query: (async () => result) as Sql['query'] });

describe('the one data-access helper (src/platform/database/sql.ts)', () => {
  it('named: binds each name once, in first-use order, and leaves ::casts alone', () => {
    expect(
      named(
        'UPDATE t SET a = :at::timestamptz, b = :at, c = COALESCE(:agent::varchar, c) WHERE id = :id',
        {
          id: 7,
          at: 'now',
          agent: null,
        },
      ),
    ).toEqual([
      'UPDATE t SET a = $1::timestamptz, b = $1, c = COALESCE($2::varchar, c) WHERE id = $3',
      ['now', null, 7],
    ]);
  });

  it('named: a name without a value throws instead of reaching Postgres', () => {
    expect(() => named('SELECT :missing', {})).toThrow('SQL parameter :missing has no value');
  });

  it('rowsOf: the rows whether the runner answered rows or [rows, rowCount]', async () => {
    const rows = [{ id: 1 }];
    await expect(rowsOf(answering(rows), 'SELECT 1')).resolves.toEqual(rows);
    await expect(rowsOf(answering([rows, 1]), 'UPDATE')).resolves.toEqual(rows);
    await expect(rowsOf(answering(undefined), 'SET x')).resolves.toEqual([]);
  });

  it('isUniqueViolation: pg and TypeORM/PGlite error shapes, optionally one constraint', () => {
    expect(isUniqueViolation({ code: '23505', constraint: 'uq_a' })).toBe(true);
    expect(isUniqueViolation({ driverError: { code: '23505', constraint: 'uq_a' } }, 'uq_a')).toBe(
      true,
    );
    expect(isUniqueViolation({ code: '23505', constraint: 'uq_b' }, 'uq_a')).toBe(false);
    expect(isUniqueViolation({ code: '23503' })).toBe(false);
    expect(isUniqueViolation(null)).toBe(false);
  });
});
