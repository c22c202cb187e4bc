import type { RuntimeConfig } from '../runtime/config';
import type { HeartbeatMessage } from '../messages/heartbeat-message';
import { Admission } from './admission';
import { DeviceMessages } from './device-messages';
import { EngineContext, type EngineDependencies } from './engine-context';
import type {
  AdmissionOutcome,
  AdmissionRequest,
  ConcurrencyEngine,
  DeviceMessageOutcome,
  EntitlementView,
  SessionView,
  SweepOptions,
} from './engine-types';
import { Entitlement } from './entitlement';
import { Expiry } from './expiry';

export type { EngineDependencies } from './engine-context';
export { MomentoUnavailableError } from './momento-unavailable-error';

/** The engine over its ports: the one {@link ConcurrencyEngine} the handlers, the subscriber and the benchmarks use. */
export function createEngine(config: RuntimeConfig, deps: EngineDependencies): ConcurrencyEngine {
  return new Engine(new EngineContext(config, deps));
}

/** {@link ConcurrencyEngine} as four parts over one shared context; each call goes to its part. */
class Engine implements ConcurrencyEngine {
  readonly config: RuntimeConfig;
  private readonly admission: Admission;
  private readonly messages: DeviceMessages;
  private readonly entitlement: Entitlement;
  private readonly expiry: Expiry;

  constructor(ctx: EngineContext) {
    this.config = ctx.config;
    this.admission = new Admission(ctx);
    this.messages = new DeviceMessages(ctx);
    this.entitlement = new Entitlement(ctx);
    this.expiry = new Expiry(ctx);
  }

  admit(request: AdmissionRequest): Promise<AdmissionOutcome> {
    return this.admission.admit(request);
  }

  handleDeviceMessage(accountId: string, message: HeartbeatMessage): Promise<DeviceMessageOutcome> {
    return this.messages.handleDeviceMessage(accountId, message);
  }

  heartbeat(accountId: string, message: HeartbeatMessage): Promise<DeviceMessageOutcome> {
    return this.messages.heartbeat(accountId, message);
  }

  stop(accountId: string, message: HeartbeatMessage): Promise<DeviceMessageOutcome> {
    return this.messages.stop(accountId, message);
  }

  flushDeadlineIndex(): Promise<void> {
    return this.messages.flushDeadlineIndex();
  }

  listSessions(accountId: string, contentId?: string): Promise<EntitlementView> {
    return this.entitlement.listSessions(accountId, contentId);
  }

  checkSession(accountId: string, sessionId: string): Promise<SessionView | undefined> {
    return this.entitlement.checkSession(accountId, sessionId);
  }

  endSession(accountId: string, sessionId: string): Promise<'ended' | 'not-found'> {
    return this.entitlement.endSession(accountId, sessionId);
  }

  sweep(shards: readonly number[], options?: SweepOptions): Promise<{ readonly ended: number }> {
    return this.expiry.sweep(shards, options);
  }
}
