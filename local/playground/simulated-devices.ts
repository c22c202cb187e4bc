import { randomBytes } from 'node:crypto';
import { errorMessage } from '../../lambda/core/error-message';

/** Where a simulated device is in its life, as the dashboard shows it. */
export type DeviceState = 'starting' | 'active' | 'refused' | 'stopped' | 'crashed' | 'evicted' | 'expired' | 'error';

/** One device as the dashboard lists it. */
export interface DeviceView {
  readonly deviceId: string;
  readonly accountId: string;
  readonly state: DeviceState;
  /** Why it is in that state (the refusal, the eviction reason, an error). */
  readonly detail?: string;
  readonly sessionId?: string;
  /** Heartbeats published since it was last started. */
  readonly heartbeats: number;
  /** `simulated`: run by the playground in Node; `browser`: a device page reporting itself. */
  readonly origin: 'simulated' | 'browser';
  /** Epoch milliseconds of the last state change. */
  readonly changedAt: number;
}

/** What a running device reports back. */
export interface DeviceHooks {
  onState(state: DeviceState, detail?: string, sessionId?: string): void;
  onHeartbeat(): void;
}

/** A device the runner started. */
export interface RunningDevice {
  /** Ends the session the polite way: a stop message, then no more heartbeats. */
  stop(): Promise<void>;
  /** Goes silent at once: no stop message, no more heartbeats; the lease must run out. */
  crash(): Promise<void>;
}

/** Starts one device session (in the playground, the Node client against the local system). */
export type DeviceRunner = (device: { accountId: string; deviceId: string }, hooks: DeviceHooks) => RunningDevice;

/** A request the registry refuses; `status` is the HTTP status the control route answers. */
export class DeviceControlError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'DeviceControlError';
  }
}

/** One start of a device; hooks of an older run are ignored once it is replaced or ended. */
interface Run {
  device?: RunningDevice;
}

interface Entry {
  view: DeviceView;
  run?: Run;
}

/**
 * The playground's devices: starts, stops and crashes them on request and keeps the list the
 * dashboard shows. Browser device pages report themselves here too (`report`), so a person sees
 * every device in one place.
 */
export class SimulatedDevices {
  private readonly entries = new Map<string, Entry>();
  private readonly listeners = new Set<(devices: DeviceView[]) => void>();
  private changeTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly runner: DeviceRunner,
    private readonly maxDevices = 200,
  ) {}

  /** Current list, oldest first. */
  list(): DeviceView[] {
    return [...this.entries.values()].map((entry) => entry.view);
  }

  /** Listens for changes (coalesced to at most one call per 100 ms); returns the unsubscribe. */
  onChange(listener: (devices: DeviceView[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts a new device, or starts a known idle device again with the same id. */
  start(accountId: string, deviceId?: string): DeviceView {
    if (this.closed) throw new DeviceControlError(503, 'stopping', 'the playground is stopping');
    const id = deviceId ?? `sim-${randomBytes(3).toString('hex')}`;
    const existing = this.entries.get(id);
    if (existing) {
      if (existing.view.accountId !== accountId) {
        throw new DeviceControlError(
          409,
          'device-exists',
          `device ${id} belongs to account ${existing.view.accountId}`,
        );
      }
      return this.startAgain(id);
    }
    if (this.entries.size >= this.maxDevices) {
      throw new DeviceControlError(
        409,
        'too-many-devices',
        `the playground runs at most ${this.maxDevices} devices; remove some first`,
      );
    }
    this.entries.set(id, { view: this.initialView(accountId, id, 'simulated') });
    return this.launch(id);
  }

  /** Starts an idle (refused, stopped, crashed, evicted, expired, error) device again: the "retry". */
  startAgain(deviceId: string): DeviceView {
    const entry = this.get(deviceId);
    if (entry.view.origin !== 'simulated')
      throw new DeviceControlError(409, 'browser-device', `device ${deviceId} runs in a browser tab`);
    if (entry.run)
      throw new DeviceControlError(
        409,
        'already-running',
        `device ${deviceId} is already running; stop or crash it first`,
      );
    return this.launch(deviceId);
  }

  async stop(deviceId: string): Promise<DeviceView> {
    const run = this.takeRun(deviceId);
    await run.device?.stop();
    this.update(deviceId, { state: 'stopped', detail: 'stopped: stop message sent' });
    return this.get(deviceId).view;
  }

  async crash(deviceId: string): Promise<DeviceView> {
    const run = this.takeRun(deviceId);
    await run.device?.crash();
    this.update(deviceId, { state: 'crashed', detail: 'silent: its slot frees when the lease runs out' });
    return this.get(deviceId).view;
  }

  /** Forgets an idle device. */
  remove(deviceId: string): void {
    const entry = this.get(deviceId);
    if (entry.run)
      throw new DeviceControlError(409, 'already-running', `device ${deviceId} is running; stop or crash it first`);
    this.entries.delete(deviceId);
    this.changed();
  }

  /** A browser device page telling the playground its state. */
  report(accountId: string, deviceId: string, state: DeviceState, detail?: string, sessionId?: string): DeviceView {
    const existing = this.entries.get(deviceId);
    if (existing && existing.view.origin !== 'browser') {
      throw new DeviceControlError(409, 'device-exists', `device ${deviceId} is a simulated device`);
    }
    if (!existing) {
      if (this.entries.size >= this.maxDevices)
        throw new DeviceControlError(409, 'too-many-devices', `at most ${this.maxDevices} devices`);
      this.entries.set(deviceId, { view: this.initialView(accountId, deviceId, 'browser') });
    }
    this.update(deviceId, { accountId, state, detail, sessionId });
    return this.get(deviceId).view;
  }

  /** Stops every running device politely (stop messages sent), then refuses new ones. */
  async stopAll(): Promise<void> {
    this.closed = true;
    const running = [...this.entries.entries()].filter(([, entry]) => entry.run !== undefined);
    await Promise.allSettled(running.map(([id]) => this.stop(id)));
    clearTimeout(this.changeTimer);
    this.listeners.clear();
  }

  private launch(deviceId: string): DeviceView {
    const entry = this.get(deviceId);
    const run: Run = {};
    entry.run = run;
    this.update(deviceId, { state: 'starting', detail: undefined, sessionId: undefined, heartbeats: 0 });
    const hooks: DeviceHooks = {
      onState: (state, detail, sessionId) => {
        // A run that was stopped, crashed or replaced may still report late: ignore it.
        if (this.entries.get(deviceId) !== entry || entry.run !== run) return;
        if (state !== 'active' && state !== 'starting') entry.run = undefined;
        this.update(deviceId, { state, detail, sessionId: sessionId ?? entry.view.sessionId });
      },
      onHeartbeat: () => {
        if (entry.run !== run) return;
        this.update(deviceId, { heartbeats: entry.view.heartbeats + 1 });
      },
    };
    try {
      run.device = this.runner({ accountId: entry.view.accountId, deviceId }, hooks);
    } catch (error) {
      entry.run = undefined;
      this.update(deviceId, { state: 'error', detail: errorMessage(error) });
    }
    return entry.view;
  }

  private initialView(accountId: string, deviceId: string, origin: DeviceView['origin']): DeviceView {
    return { deviceId, accountId, state: 'starting', heartbeats: 0, origin, changedAt: Date.now() };
  }

  private get(deviceId: string): Entry {
    const entry = this.entries.get(deviceId);
    if (!entry) throw new DeviceControlError(404, 'unknown-device', `no device ${deviceId}`);
    return entry;
  }

  /** Ends the device's current run as far as the registry is concerned and hands it over. */
  private takeRun(deviceId: string): Run {
    const entry = this.get(deviceId);
    const run = entry.run;
    if (!run)
      throw new DeviceControlError(409, 'not-running', `device ${deviceId} is not running (${entry.view.state})`);
    entry.run = undefined;
    return run;
  }

  private update(deviceId: string, change: Partial<Omit<DeviceView, 'deviceId' | 'origin'>>): void {
    const entry = this.entries.get(deviceId);
    if (!entry) return;
    const stateChanged = change.state !== undefined && change.state !== entry.view.state;
    entry.view = { ...entry.view, ...change, changedAt: stateChanged ? Date.now() : entry.view.changedAt };
    this.changed();
  }

  private changed(): void {
    if (this.changeTimer !== undefined || this.listeners.size === 0) return;
    this.changeTimer = setTimeout(() => {
      this.changeTimer = undefined;
      const devices = this.list();
      for (const listener of this.listeners) listener(devices);
    }, 100);
  }
}
