import type { DashboardFeed } from './dashboard-feed';
import type { DeviceView } from './simulated-devices';
import { errorMessage } from '../../lambda/core/error-message';

/** One session as the dashboard lists it (the entitlement check's session shape). */
export interface DashboardSession {
  readonly sessionId: string;
  readonly deviceId?: string;
  readonly contentId?: string;
  readonly startedAt?: string;
  readonly lastHeartbeatAt?: string;
}

/** One account card: its limit and active sessions. */
export interface DashboardAccount {
  readonly accountId: string;
  readonly limit: number;
  readonly active: number;
  readonly sessions: readonly DashboardSession[];
  /** Set when the last check failed; the card keeps its previous figures. */
  readonly error?: string;
}

/** One line of the lifecycle event stream. */
export interface DashboardEvent {
  readonly id: string;
  /** The detail-type: `Session Admitted`, `Session Denied`, ... */
  readonly type: string;
  /** ISO 8601. */
  readonly time: string;
  readonly accountId?: string;
  readonly sessionId?: string;
  readonly deviceId?: string;
  /** One human line. */
  readonly summary: string;
}

/** One sample of the chart: active sessions per account at a time (epoch ms). */
export interface HistoryPoint {
  readonly at: number;
  readonly counts: Readonly<Record<string, number>>;
}

/** The entitlement check the dashboard polls, in-process. */
export type CheckAccount = (
  accountId: string,
) => Promise<{ limit: number; active: number; sessions: readonly DashboardSession[] }>;

export interface DashboardStateOptions {
  readonly feed: DashboardFeed;
  readonly checkAccount: CheckAccount;
  /** Shown in the page header (strategy, limit, addresses, ...). */
  readonly config: () => Record<string, unknown>;
  readonly devices: () => DeviceView[];
  /** Accounts shown from the start, even before any device uses them. */
  readonly initialAccounts?: readonly string[];
  /** How often every account is checked. @default 1000 */
  readonly pollMs?: number;
  /** How much chart history a new page gets. @default 150000 */
  readonly historyMs?: number;
  /** Most accounts shown; later ones are ignored so a stray script cannot grow the page forever. @default 24 */
  readonly maxAccounts?: number;
}

const MAX_EVENTS = 200;

/**
 * What the dashboard shows, kept in one place: accounts (checked every second through the
 * engine's own entitlement check), the chart's history, the lifecycle events and the devices.
 * Changes go out on the feed; a new page gets `snapshot()` first.
 */
export class DashboardState {
  private readonly accounts = new Map<string, DashboardAccount>();
  private readonly events: DashboardEvent[] = [];
  private readonly history: HistoryPoint[] = [];
  private readonly pollMs: number;
  private readonly historyMs: number;
  private readonly maxAccounts: number;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: DashboardStateOptions) {
    this.pollMs = options.pollMs ?? 1000;
    this.historyMs = options.historyMs ?? 150_000;
    this.maxAccounts = options.maxAccounts ?? 24;
    for (const accountId of options.initialAccounts ?? []) this.noteAccount(accountId);
  }

  /** Shows an account on the dashboard from now on. */
  noteAccount(accountId: string): void {
    if (this.accounts.has(accountId) || this.accounts.size >= this.maxAccounts) return;
    this.accounts.set(accountId, { accountId, limit: 0, active: 0, sessions: [] });
  }

  /** Adds a lifecycle event to the stream. */
  recordEvent(event: DashboardEvent): void {
    if (event.accountId !== undefined) this.noteAccount(event.accountId);
    this.events.push(event);
    if (this.events.length > MAX_EVENTS) this.events.splice(0, this.events.length - MAX_EVENTS);
    this.options.feed.publish('lifecycle', event);
    // An admission or an end changes a count: show it now rather than at the next tick.
    this.refreshSoon();
  }

  /** Sends the device list to every page. */
  publishDevices(devices: DeviceView[]): void {
    this.options.feed.publish('devices', devices);
  }

  snapshot(): {
    config: Record<string, unknown>;
    accounts: DashboardAccount[];
    devices: DeviceView[];
    events: DashboardEvent[];
    history: HistoryPoint[];
  } {
    return {
      config: this.options.config(),
      accounts: this.accountList(),
      devices: this.options.devices(),
      events: [...this.events],
      history: [...this.history],
    };
  }

  /** Starts the periodic check. */
  start(): void {
    const tick = () => {
      if (this.stopped) return;
      this.timer = setTimeout(() => {
        void this.refresh().finally(tick);
      }, this.pollMs);
    };
    void this.refresh().finally(tick);
  }

  /** Checks every account now (one check at a time; a call during a check waits for it). */
  refresh(): Promise<void> {
    this.polling ??= this.checkAll().finally(() => {
      this.polling = undefined;
    });
    return this.polling;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.polling;
  }

  private refreshSoon(): void {
    if (this.stopped) return;
    setTimeout(() => void this.refresh(), 50).unref();
  }

  private async checkAll(): Promise<void> {
    if (this.stopped) return;
    const ids = [...this.accounts.keys()];
    const results = await Promise.all(
      ids.map(async (accountId) => {
        try {
          const view = await this.options.checkAccount(accountId);
          const account: DashboardAccount = {
            accountId,
            limit: view.limit,
            active: view.active,
            sessions: view.sessions.map(pickSession),
          };
          return account;
        } catch (error) {
          const previous = this.accounts.get(accountId)!;
          return { ...previous, error: errorMessage(error) };
        }
      }),
    );
    if (this.stopped) return;
    for (const account of results) this.accounts.set(account.accountId, account);
    const at = Date.now();
    this.history.push({ at, counts: Object.fromEntries(results.map((a) => [a.accountId, a.active])) });
    while (this.history.length > 0 && this.history[0].at < at - this.historyMs) this.history.shift();
    this.options.feed.publish('accounts', { at, accounts: this.accountList() });
  }

  private accountList(): DashboardAccount[] {
    return [...this.accounts.values()];
  }
}

function pickSession(session: DashboardSession): DashboardSession {
  return {
    sessionId: session.sessionId,
    deviceId: session.deviceId,
    contentId: session.contentId,
    startedAt: session.startedAt,
    lastHeartbeatAt: session.lastHeartbeatAt,
  };
}
