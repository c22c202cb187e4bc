import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../../../..');

/** The emulator CLI running as a child process, as `npm run emulator` starts it. */
export interface EmulatorProcess {
  readonly child: ChildProcess;
  /** The line the CLI printed when it was ready. */
  readonly readyLine: string;
  readonly hostname: string;
  readonly port: number;
  readonly httpUrl: string;
  /** Sends SIGTERM and resolves with the exit code. */
  terminate(): Promise<number | null>;
}

/** Starts `local/emulator/cli.ts` with `args` and waits for its `listening` line. */
export function spawnEmulator(args: readonly string[], timeoutMs = 30_000): Promise<EmulatorProcess> {
  // The same command as the package's `emulator` script, without npm in between (so the signal reaches it).
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'local/emulator/cli.ts', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the emulator did not print "listening" within ${timeoutMs} ms; output: ${output}`));
    }, timeoutMs);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split('\n').find((l) => l.includes('listening'));
      if (line === undefined) return;
      const grpc = /listening on ([^\s:]+):(\d+)/.exec(line);
      const http = /(http:\/\/[^\s)]+)/.exec(line);
      clearTimeout(timer);
      if (grpc === null || http === null) {
        reject(new Error(`unexpected ready line: ${line}`));
        return;
      }
      resolve({
        child,
        readyLine: line,
        hostname: grpc[1] as string,
        port: Number(grpc[2]),
        httpUrl: http[1] as string,
        terminate: () => {
          child.kill('SIGTERM');
          return exited;
        },
      });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the emulator exited with ${String(code)} before it was ready; output: ${output}`));
    });
  });
}

/** Runs the CLI with `args` to its end and returns its exit code and output (for bad arguments). */
export function runEmulatorToEnd(args: readonly string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'local/emulator/cli.ts', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}
