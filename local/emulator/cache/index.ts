export { CacheStore, type CacheStoreOptions } from './cache-store';
export { createControlService } from './control-service';
export { createCacheService } from './cache-service';
