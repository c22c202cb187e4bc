import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatFigure, type PromiseResult, type RunInfo } from './promise-result';

/** Hand-written notes kept beside the runner (findings, assumptions), appended to the page. */
const NOTES = join(__dirname, 'notes.md');

const escape = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** docs/reliability.md, written from one run: each promise, its test and the figures it printed. */
export function renderReliabilityDoc(run: RunInfo, results: readonly PromiseResult[]): string {
  const out: string[] = [
    '# Reliability and security',
    '',
    'What cdk-concurrency-tracker promises when input is hostile or the network misbehaves, the test',
    'that checks each promise, and the figures of the last run. This page is written by the run',
    '(`reliability/run.ts`); do not edit it by hand, run the command again.',
    '',
    `- command: \`${run.command}\``,
    `- date: ${run.date}`,
    `- scale: ${run.scale} (\`npm test\` runs the same tests at a reduced size; \`RELIABILITY_SCALE=full\` selects this one)`,
    `- Node.js ${run.node}; ${run.tests.passed} tests passed, ${run.tests.failed} failed; ${run.seconds.toFixed(1)} s`,
    '',
    '| promise | test | status |',
    '|---|---|---|',
    ...results.map(
      (r) =>
        `| ${escape(r.promise)} | \`${r.test}\` | ${r.status}${r.failing.length > 0 ? ` (${r.failing.length} check${r.failing.length > 1 ? 's' : ''} failing)` : ''} |`,
    ),
    '',
  ];
  for (const r of results) {
    out.push(`## ${r.id}`, '', r.promise, '', `Checked by \`${r.test}\` (${r.status}).`, '');
    for (const name of r.failing) out.push(`- failing check: ${name}`);
    if (r.failing.length > 0) out.push('');
    out.push('| figure | value |', '|---|---|');
    for (const [name, value] of Object.entries(r.figures))
      out.push(`| ${escape(name)} | ${escape(formatFigure(value))} |`);
    out.push('');
  }
  if (existsSync(NOTES)) out.push(readFileSync(NOTES, 'utf8').trimEnd(), '');
  return out.join('\n');
}
