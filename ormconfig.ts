import 'reflect-metadata';
import { loadConfig } from './src/platform/config/load-config';
import { createDataSource } from './src/platform/database/data-source.factory';

/**
 * The DataSource the TypeORM CLI uses (`npx typeorm -d dist/ormconfig.js migration:show`), built
 * from the same validated configuration as the app: DATABASE_URL, or the embedded database when
 * it is unset. Entities are globbed for `migration:generate`; migrations are the explicit list.
 * Prefer `npm run migration:run` / `migration:revert`, which take the advisory lock.
 */
const dataSource = createDataSource(loadConfig(), {
  entities: [`${__dirname}/src/modules/**/entities/*.entity.{ts,js}`],
}).then((standalone) => standalone.dataSource);

// The TypeORM CLI awaits an exported Promise<DataSource>.
export default dataSource;
