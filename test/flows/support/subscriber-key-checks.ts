import type { SubscriberOptions } from '../../../lambda/heartbeat-subscriber/heartbeat-subscriber';

/** How often the subscriber reads its secrets in these tests (30 s deployed); their bounds are counted in these. */
export const KEY_CHECK_MS = 500;

/**
 * A subscriber that reads its secrets every KEY_CHECK_MS, retries and sweeps as often, and keeps
 * old clients a second after a key changes. The caller chooses the health port.
 */
export const KEY_CHECKING_SUBSCRIBER: SubscriberOptions = {
  keyCheckIntervalMs: KEY_CHECK_MS,
  initialBackoffMs: 100,
  maxBackoffMs: 500,
  sweepIntervalMs: 200,
  watchdogMs: 2000,
  rotationGraceMs: 1000,
};
