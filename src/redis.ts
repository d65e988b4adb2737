// The `trpc-jwt/redis` entry: the Redis token store. Only this entry touches Redis; the main
// entry never imports it, so `redis` stays an optional peer dependency.
export { redisStore, type RedisClientLike, type RedisClusterLike, type RedisStoreOptions, type RedisTokenStore } from "./stores/redisStore.js";
