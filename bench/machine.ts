import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Where and with what a run was made, as the report states it. */
export interface RunEnvironment {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly os: string;
  /** 1-minute load average when the run began: other work on the machine slows every round trip. */
  readonly loadAverage: number;
  readonly node: string;
  readonly versions: Readonly<Record<string, string>>;
  /** The commit the emulator and the engine were measured at (`+ local changes` when dirty). */
  readonly commit: string;
}

const ROOT = path.resolve(__dirname, '..');
const PACKAGES = [
  '@gomomento/sdk',
  '@gomomento/generated-types',
  '@grpc/grpc-js',
  'aws-cdk-lib',
  'esbuild',
  'typescript',
];

export function describeEnvironment(): RunEnvironment {
  const versions: Record<string, string> = {};
  for (const name of PACKAGES) {
    try {
      versions[name] = (
        JSON.parse(readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }
      ).version;
    } catch {
      versions[name] = 'not installed';
    }
  }
  return {
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    os: `${os.type()} ${os.release()} (${os.arch()})`,
    loadAverage: Math.round(os.loadavg()[0]! * 100) / 100,
    node: process.version,
    versions,
    commit: gitCommit(),
  };
}

function gitCommit(): string {
  try {
    const git = (args: string[]) =>
      execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const sha = git(['rev-parse', '--short', 'HEAD']);
    const dirty = git(['status', '--porcelain', '--', 'local', 'lambda', 'bench']) !== '';
    return dirty ? `${sha} + local changes` : sha;
  } catch {
    return 'unknown (not a git checkout)';
  }
}
