export { startEmbeddedRedis, isLocalRedisUrl, hasRedisServer, type EmbeddedRedis } from './embedded-redis';
