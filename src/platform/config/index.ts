export { AppConfig, DEVELOPMENT_ENVIRONMENTS } from './app-config';
export { ConfigModule } from './config.module';
export { ConfigValidationError, loadConfig, type LoadConfigOptions } from './load-config';
export { maskedConfig, maskSecret, maskUrlCredentials } from './masking';
export {
  assertProductionSafe,
  productionProblems,
  ProductionSafetyError,
  secretWarnings,
} from './secret-guard';
export { settingsOf, type SettingMetadata } from './setting.decorator';
export type { EnvMap } from './env-source';
