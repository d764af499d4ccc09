/**
 * What feature modules may use of the database layer: the row and error helpers, after-commit
 * hooks and prepared statements for hot paths.
 */
export { firstRow, isUniqueViolation, named, rowsOf, type Sql } from './sql';
export { afterCommit } from './after-commit';
export {
  PreparedStatements,
  preparedStatement,
  type PreparedStatement,
} from './prepared-statements';
