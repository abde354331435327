export { loadConfig, ConfigError, CONFIG_ENV_VARS, type Config, type LogLevel } from './config';
export type { RedisNode, RedisTarget } from './redis-target';
export type { S3Target, StorageTarget } from './storage-target';
