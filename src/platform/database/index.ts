/** What feature modules may use of the database layer: the row and error helpers, after-commit hooks. */
export { firstRow, isUniqueViolation, named, rowsOf, type Sql } from './sql';
export { afterCommit } from './after-commit';
