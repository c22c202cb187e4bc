import { fork } from 'node:child_process';

/** What the parent asks a forked child: its figures, or to stop. */
export type ForkedChildRequest = { readonly type: 'stats' } | { readonly type: 'stop' };

/** A benchmark part running in its own Node.js process, so its CPU time and memory are its own. */
export interface ForkedChild<Ready, Stats> {
  /** What its `ready` report carried. */
  readonly ready: Ready;
  /** Its figures, from a `stats` report (requests are answered in order). */
  stats(): Promise<Stats>;
  /** Asks it to stop, and kills it if it has not exited within the grace period. */
  stop(): Promise<void>;
}

/**
 * Forks `script` under ts-node with `env` and resolves once it reports `ready`; `stats` and `stop`
 * are IPC requests. Rejects when the child exits before it is ready (`name` says which child).
 */
export async function forkChild<Report extends { readonly type: 'ready' | 'stats' }, Ready, Stats>(
  script: string,
  env: NodeJS.ProcessEnv,
  options: {
    readonly name: string;
    readonly stopGraceMs: number;
    readonly ready: (report: Extract<Report, { readonly type: 'ready' }>) => Ready;
    readonly stats: (report: Extract<Report, { readonly type: 'stats' }>) => Stats;
  },
): Promise<ForkedChild<Ready, Stats>> {
  const child = fork(script, [], {
    env,
    execArgv: ['-r', 'ts-node/register/transpile-only'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const waiting: ((stats: Stats) => void)[] = [];
  const ready = await new Promise<Ready>((resolve, reject) => {
    child.on('message', (report: Report) => {
      if (report.type === 'ready') resolve(options.ready(report as Extract<Report, { readonly type: 'ready' }>));
      if (report.type === 'stats')
        waiting.shift()?.(options.stats(report as Extract<Report, { readonly type: 'stats' }>));
    });
    void exited.then((code) => reject(new Error(`${options.name} exited with ${code} before it was ready`)));
  });
  return {
    ready,
    stats: () =>
      new Promise<Stats>((resolve) => {
        waiting.push(resolve);
        child.send({ type: 'stats' } satisfies ForkedChildRequest);
      }),
    stop: async () => {
      if (child.exitCode !== null) return;
      child.send({ type: 'stop' } satisfies ForkedChildRequest);
      const timer = setTimeout(() => child.kill('SIGKILL'), options.stopGraceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
