import { spawn, type ChildProcess } from 'node:child_process';
import { getHealth } from '../../lambda/heartbeat-subscriber/support/subscriber-health';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');

/** How the child ended, when it did. */
export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly at: number;
}

/**
 * The heartbeat subscriber as it runs in its container: its own Node.js process started from the
 * entry point (`lambda/heartbeat-subscriber/index.ts`, from source so the code under test is the
 * code in the tree), configured only by its environment. Every line it writes is kept, so a test
 * can read its logs and the metrics it flushed (CloudWatch embedded metric format).
 */
export class SubscriberProcess {
  readonly lines: string[] = [];
  readonly stderr: string[] = [];
  exit: ProcessExit | undefined;
  private readonly child: ChildProcess;
  private readonly exited: Promise<ProcessExit>;

  private constructor(env: Record<string, string>) {
    this.child = spawn(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', 'lambda/heartbeat-subscriber/index.ts'],
      {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', TS_NODE_PROJECT: resolve(ROOT, 'tsconfig.json'), ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const collect = (into: string[]) => {
      let partial = '';
      return (chunk: Buffer) => {
        const text = partial + chunk.toString('utf8');
        const parts = text.split('\n');
        partial = parts.pop() ?? '';
        into.push(...parts.filter((l) => l.trim() !== ''));
      };
    };
    this.child.stdout?.on('data', collect(this.lines));
    this.child.stderr?.on('data', collect(this.stderr));
    this.exited = new Promise((done) =>
      this.child.once('exit', (code, signal) => {
        this.exit = { code, signal, at: Date.now() };
        done(this.exit);
      }),
    );
  }

  static start(env: Record<string, string>): SubscriberProcess {
    return new SubscriberProcess(env);
  }

  /** Log lines that are JSON objects (Powertools logs and EMF metric lines). */
  json(): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    for (const line of this.lines) {
      try {
        const parsed: unknown = JSON.parse(line);
        if (parsed && typeof parsed === 'object') out.push(parsed as Record<string, unknown>);
      } catch {
        // not JSON: kept in `lines` for the secrets check
      }
    }
    return out;
  }

  /** Sum of each metric over every EMF line flushed so far. */
  metricTotals(): Record<string, number> {
    const totals: Record<string, number> = {};
    for (const entry of this.json()) {
      const aws = entry._aws as { CloudWatchMetrics?: Array<{ Metrics?: Array<{ Name: string }> }> } | undefined;
      for (const directive of aws?.CloudWatchMetrics ?? []) {
        for (const { Name } of directive.Metrics ?? []) {
          const value = entry[Name];
          const values = Array.isArray(value) ? value : [value];
          totals[Name] =
            (totals[Name] ?? 0) + values.reduce((sum: number, v) => sum + (typeof v === 'number' ? v : 0), 0);
        }
      }
    }
    return totals;
  }

  /** The health port the process logged at start. */
  healthPort(): number | undefined {
    const started = this.json().find((l) => l.message === 'heartbeat subscriber started');
    return typeof started?.healthPort === 'number' ? started.healthPort : undefined;
  }

  /** GET /health: the status code, or 0 when nothing answers. */
  health(): Promise<number> {
    const port = this.healthPort();
    if (port === undefined) return Promise.resolve(0);
    return getHealth(port, 2000).then(
      ({ status }) => status,
      () => 0,
    );
  }

  /** Waits until the health endpoint answers 200 (every shard subscribed). */
  async healthy(timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.exit)
        throw new Error(`subscriber exited early: ${JSON.stringify(this.exit)}\n${this.stderr.join('\n')}`);
      if ((await this.health()) === 200) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(
      `subscriber not healthy after ${timeoutMs} ms:\n${this.lines.slice(-10).join('\n')}\n${this.stderr.join('\n')}`,
    );
  }

  /** SIGTERM, as ECS stops a task; resolves with how it ended (SIGKILL after `graceMs`). */
  async stop(graceMs = 15_000): Promise<ProcessExit> {
    if (this.exit) return this.exit;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }

  /** Ends the process at once, as a crash would (no drain). */
  async kill(): Promise<ProcessExit> {
    if (this.exit) return this.exit;
    this.child.kill('SIGKILL');
    return this.exited;
  }
}
