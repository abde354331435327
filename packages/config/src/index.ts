export {
  loadConfig,
  ConfigError,
  CONFIG_ENV_VARS,
  type Config,
  type LogLevel,
  type RedisNode,
  type RedisTarget,
} from './config';
