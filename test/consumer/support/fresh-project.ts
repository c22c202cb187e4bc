import { execFile, execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

// What the consumer tests share: running a command with its output kept for the failure message,
// and a fresh project that installs packed tarballs as a user would (`npm install`, from the npm
// cache where it can).

export const readJson = <T>(file: string): T => JSON.parse(fs.readFileSync(file, 'utf8')) as T;

/** Runs a command; its stdout. On failure the error carries the tail of its output (a compiler error, an install failure). */
export function run(command: string, args: string[], cwd: string, timeout = 120_000, env?: NodeJS.ProcessEnv): string {
  try {
    return execFileSync(command, args, {
      cwd,
      encoding: 'utf8',
      timeout,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: env ?? process.env,
    });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} failed: ${`${e.stdout ?? ''}\n${e.stderr ?? ''}`.slice(-3000)}`, {
      cause: error,
    });
  }
}

/** `npm install` of the packages into a fresh project, from the npm cache where it can; its warnings. */
export function installProject(project: string, packages: string[]): string {
  fs.mkdirSync(project);
  fs.writeFileSync(
    path.join(project, 'package.json'),
    JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }),
  );
  const args = [
    'install',
    '--prefer-offline',
    '--no-audit',
    '--no-fund',
    '--ignore-scripts',
    '--no-package-lock',
    ...packages,
  ];
  const result = spawnSync('npm', args, { cwd: project, encoding: 'utf8', timeout: 150_000 });
  if (result.status !== 0)
    throw new Error(`npm ${args.join(' ')} failed: ${`${result.stdout}\n${result.stderr}`.slice(-3000)}`);
  return result.stderr;
}

/**
 * Runs a command without blocking this process (a server the command talks to may live here);
 * its stdout. On failure or timeout the error carries the tail of its output.
 */
export function runAsync(command: string, args: string[], cwd: string, timeout = 120_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { cwd, encoding: 'utf8', timeout, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error)
          reject(
            new Error(
              `${command} ${args.join(' ')} failed (${error.message.split('\n')[0]}): ${`${stdout}\n${stderr}`.slice(-3000)}`,
            ),
          );
        else resolve(stdout);
      },
    );
  });
}

/** Writes `file`, a tsconfig that type-checks `entry` strictly as a CommonJS consumer project, emitting nothing. */
export function writeStrictTsconfig(project: string, file: string, entry: string): void {
  fs.writeFileSync(
    path.join(project, file),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        target: 'ES2022',
        module: 'commonjs',
        types: [],
      },
      files: [entry],
    }),
  );
}
