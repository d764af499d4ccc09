/** What feature modules may use of the database layer: the row and error helpers. */
export { firstRow, isUniqueViolation, named, rowsOf, type Sql } from './sql';
