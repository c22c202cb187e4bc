import { startPlayground, type Playground } from '../../../../local/playground/playground';
import { DEFAULT_PLAYGROUND_OPTIONS, type PlaygroundOptions } from '../../../../local/playground/playground-options';

/**
 * Starts a playground for a test that brings its own devices: the defaults on a free port, with one
 * account, no simulated devices and a heartbeat every second, changed by `options`.
 */
export function startOneAccountPlayground(options: Partial<PlaygroundOptions> = {}): Promise<Playground> {
  return startPlayground({
    ...DEFAULT_PLAYGROUND_OPTIONS,
    port: 0,
    devices: 0,
    accounts: 1,
    heartbeatIntervalSeconds: 1,
    ...options,
  });
}
