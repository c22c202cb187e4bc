import { parseRuntimeConfig, type RuntimeConfig } from '../../../../lambda/core/runtime/config';

/** A runtime configuration for tests: short heartbeats and leases, overridable by env names. */
export function testConfig(env: Record<string, string> = {}): RuntimeConfig {
  return parseRuntimeConfig({
    CACHE_NAME: 'tracker',
    HEARTBEAT_TOPIC: 'heartbeat',
    CONTROL_TOPIC_PREFIX: 'control-',
    HEARTBEAT_INTERVAL_SECONDS: '1',
    LEASE_SECONDS: '3',
    DEFAULT_LIMIT: '2',
    TOKEN_TTL_SECONDS: '600',
    ...env,
  });
}
