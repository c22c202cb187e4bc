import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import type { BenchScale } from './bench-scale';
import type { MeasurementResult } from './bench-results';
import { median } from './statistics';

const ROOT = path.resolve(__dirname, '..');
const childOutput = z.object({ loadMs: z.number(), synthMs: z.number() });

/**
 * Synthesis of the example app (`bin/app.ts`, what `cdk synth` runs) in a fresh process, as
 * `cdk.json` runs it (ts-node, transpile only): the whole process, loading the app (aws-cdk-lib,
 * the construct) and `app.synth()` alone.
 */
export async function measureSynthesis(scale: BenchScale): Promise<MeasurementResult> {
  const started = Date.now();
  const runs: { wallMs: number; loadMs: number; synthMs: number }[] = [];
  for (let i = 0; i < scale.synthesisRuns; i += 1) {
    const outdir = mkdtempSync(path.join(os.tmpdir(), 'bench-synth-'));
    try {
      const t0 = performance.now();
      const result = spawnSync(
        process.execPath,
        ['-r', 'ts-node/register/transpile-only', path.join(__dirname, 'synthesis-child.ts')],
        {
          cwd: ROOT,
          env: { ...process.env, CDK_OUTDIR: outdir },
          encoding: 'utf8',
        },
      );
      const wallMs = performance.now() - t0;
      if (result.status !== 0)
        throw new Error(
          `synthesis failed: ${result.stderr
            .split('\n')
            .filter((l) => l.trim() !== '')
            .slice(0, 3)
            .join(' ')}`,
        );
      runs.push({ wallMs, ...childOutput.parse(JSON.parse(result.stdout.trim().split('\n').pop() ?? '')) });
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  }
  const wall = median(runs.map((r) => r.wallMs));
  const load = median(runs.map((r) => r.loadMs));
  const synth = median(runs.map((r) => r.synthMs));
  return {
    section: 'Synthesis',
    method: `\`bin/app.ts\` synthesized ${scale.synthesisRuns} time(s) in a fresh \`node -r ts-node/register/transpile-only\` process (as cdk.json runs it, without the CDK CLI), into a temporary cdk.out; median.`,
    systemRows: [
      {
        measure: 'Synthesis of the example app',
        value: `${(wall / 1000).toFixed(1)} s process (load ${(load / 1000).toFixed(1)} s, synth ${(synth / 1000).toFixed(1)} s)`,
      },
    ],
    figures: { synthesisMs: wall },
    elapsedMs: Date.now() - started,
  };
}
