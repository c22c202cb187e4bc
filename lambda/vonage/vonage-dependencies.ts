import type { AdmissionHook } from '../core/ports/admission-hook';
import type { LifecycleEventSink } from '../core/ports/lifecycle-event-sink';
import type { CachePort } from '../core/ports/momento-ports';
import type { EngineLogger, MetricName } from '../core/ports/observability';
import type { RoomSeats } from './room-seats';
import type { VonageConfig } from './vonage-config';
import type { VonageEnforcement } from './vonage-enforcement';

/** The Vonage path's own metrics, next to the engine's (same namespace and `service` dimension). */
export type VonageMetricName =
  | MetricName
  | 'VonageCallbacks'
  | 'VonageCallbacksRejected'
  | 'VonageCallbacksIgnored'
  | 'VonageDisconnects'
  | 'VonageStreamsStopped'
  | 'VonageEnforcementErrors'
  | 'VonageRoomsExpired';

export interface VonageMetrics {
  count(name: VonageMetricName, value?: number): void;
}

/**
 * Everything the three Vonage functions need, built by the handler's runtime loader (again when a
 * secret changes: lambda/vonage/vonage-runtime.ts) or by a test (around the emulator and a
 * stand-in Vonage server). No state lives here: a new
 * dependencies object over the same cache sees everything the previous one did.
 */
export interface VonageDependencies {
  readonly config: VonageConfig;
  /** Where the token route reads the caller's account (the tracker's ACCOUNT_SOURCE / ACCOUNT_CLAIM). */
  readonly account: { readonly source: 'iam' | 'claim'; readonly claim: string };
  /** The callback signature secret (read again every 300 s, so a rotated one takes over; never logged). */
  readonly callbackSecret: string;
  readonly cache: CachePort;
  readonly seats: RoomSeats;
  readonly vonage: VonageEnforcement;
  readonly hook?: AdmissionHook;
  readonly events: LifecycleEventSink;
  readonly metrics: VonageMetrics;
  readonly logger: EngineLogger;
  /** Epoch milliseconds. */
  readonly now: () => number;
  readonly newId: () => string;
}
