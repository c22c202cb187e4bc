import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..', '..');
const TS_NODE = join(ROOT, 'node_modules', '.bin', 'ts-node');

/**
 * How to start it: `npm` runs `npm start -- args` exactly as a person does; `node` runs the same
 * command the script runs (`ts-node --transpile-only local/playground/start.ts`) without npm, so
 * the playground's own exit code is what the test sees.
 */
export type LaunchKind = 'npm' | 'node';

/** A running playground in its own process group. */
export interface PlaygroundProcess {
  readonly child: ChildProcess;
  readonly apiUrl: string;
  readonly dashboardUrl: string;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Signals the whole process group, as Ctrl-C in a terminal does, and resolves with the child's exit code. */
  interruptGroup(signal?: NodeJS.Signals): Promise<number | null>;
  /** Signals only the launched process (npm or ts-node) and resolves with its exit code. */
  signal(signal: NodeJS.Signals): Promise<number | null>;
  /** Resolves once every process of the group is gone and its output is closed (false after `timeoutMs`). */
  groupGone(timeoutMs?: number): Promise<boolean>;
  /** Stops it if still running (SIGINT to the group, SIGKILL after 15 s). */
  stop(): Promise<void>;
}

function launch(kind: LaunchKind, args: readonly string[]): ChildProcess {
  const [command, commandArgs] =
    kind === 'npm'
      ? ['npm', ['start', '--silent', '--', ...args]]
      : [process.execPath, [TS_NODE, '--transpile-only', 'local/playground/start.ts', ...args]];
  return spawn(command, commandArgs, {
    cwd: ROOT,
    detached: true, // its own process group, like a terminal's foreground job
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FORCE_COLOR: '0' },
  });
}

/** Starts the playground and resolves once it prints its addresses. */
export function startPlaygroundProcess(
  args: readonly string[],
  kind: LaunchKind = 'npm',
  timeoutMs = 45_000,
): Promise<PlaygroundProcess> {
  const child = launch(kind, args);
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // The output closes only when every process holding it (an orphaned ts-node included) is gone.
  const outputClosed = new Promise<void>((resolve) => child.stdout!.once('close', () => resolve()));

  const groupAlive = (): boolean => {
    try {
      process.kill(-child.pid!, 0);
      return true;
    } catch {
      return false;
    }
  };
  const send = (target: number, signal: NodeJS.Signals) => {
    try {
      process.kill(target, signal);
    } catch {
      // already gone
    }
  };
  const groupGone = async (timeoutMs = 15_000): Promise<boolean> => {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const closed = await Promise.race([outputClosed.then(() => true as const), timedOut]);
    clearTimeout(timer);
    if (!closed) return false;
    const deadline = Date.now() + 2000;
    while (groupAlive() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    return !groupAlive();
  };

  const handle: Omit<PlaygroundProcess, 'apiUrl' | 'dashboardUrl'> = {
    child,
    output: () => output,
    interruptGroup: async (signal = 'SIGINT') => {
      send(-child.pid!, signal);
      return exited;
    },
    signal: async (signal) => {
      send(child.pid!, signal);
      return exited;
    },
    groupGone,
    stop: async () => {
      if (groupAlive()) send(-child.pid!, 'SIGINT');
      if (!(await groupGone(15_000))) send(-child.pid!, 'SIGKILL');
    },
  };

  return new Promise((resolve, reject) => {
    const deadline = setTimeout(() => {
      send(-child.pid!, 'SIGKILL');
      reject(new Error(`the playground did not print its addresses within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const check = () => {
      const api = /playground: API\s+(http:\/\/\S+)/.exec(output)?.[1];
      const dashboard = /playground: dashboard\s+(http:\/\/\S+)/.exec(output)?.[1];
      if (api && dashboard) {
        clearTimeout(deadline);
        child.stdout!.off('data', check);
        resolve({ ...handle, apiUrl: api, dashboardUrl: dashboard });
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(deadline);
      reject(new Error(`the playground exited with ${code} before it was ready:\n${output}`));
    });
  });
}

/** Runs `npm start -- args` to its end (for option errors) and returns its exit code and output. */
export function runPlaygroundToExit(args: readonly string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('npm', ['start', '--silent', '--', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.once('exit', (code) => resolve({ code, output }));
  });
}
