import { STRATEGIES, STRATEGY_TITLES, type MeasurementResult } from './bench-results';
import type { RunEnvironment } from './machine';

/** Everything a report is written from. */
export interface BenchReport {
  readonly scale: 'full' | 'quick';
  readonly command: string;
  readonly startedAt: Date;
  readonly elapsedMs: number;
  readonly environment: RunEnvironment;
  readonly results: readonly MeasurementResult[];
  /** Measurements that failed, with the reason; the rest of the report stands. */
  readonly failures: readonly { readonly section: string; readonly error: string }[];
  /** 1-minute load average when the run ended. */
  readonly loadAverageAtEnd?: number;
  /** Paragraphs about the compressed timings and topology, stated once. */
  readonly setup: readonly string[];
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const metText = (met: boolean | undefined) => (met === undefined ? '' : met ? 'yes' : '**no**');

/** The two result tables, as printed to the console and embedded in the report. */
export function renderTables(report: Pick<BenchReport, 'results'>): string {
  const lines: string[] = [];
  const strategyResults = report.results.filter((r) => r.strategyRows && r.strategyRows.length > 0);
  if (strategyResults.length > 0) {
    lines.push(`| Measure | ${STRATEGIES.map((s) => STRATEGY_TITLES[s]).join(' | ')} | Target | Met |`);
    lines.push(`|---|${STRATEGIES.map(() => '---').join('|')}|---|---|`);
    for (const result of strategyResults) {
      for (const row of result.strategyRows!) {
        const values = STRATEGIES.map((s) => cell(row.cells[s]?.value ?? '–'));
        const judged = STRATEGIES.map((s) => row.cells[s]?.met).filter((m): m is boolean => m !== undefined);
        const met = judged.length === 0 ? undefined : judged.every(Boolean);
        lines.push(
          `| ${cell(`${result.section}: ${row.measure}`)} | ${values.join(' | ')} | ${cell(row.target ?? '')} | ${metText(met)} |`,
        );
      }
    }
  }
  const systemResults = report.results.filter((r) => r.systemRows && r.systemRows.length > 0);
  if (systemResults.length > 0) {
    if (lines.length > 0) lines.push('');
    lines.push('| Measure | Value | Target | Met |');
    lines.push('|---|---|---|---|');
    for (const result of systemResults) {
      for (const row of result.systemRows!) {
        lines.push(`| ${cell(row.measure)} | ${cell(row.value)} | ${cell(row.target ?? '')} | ${metText(row.met)} |`);
      }
    }
  }
  return lines.join('\n');
}

/** Targets with their verdicts and the notes that explain misses and conditions. */
function renderTargets(report: BenchReport): string[] {
  const lines: string[] = [];
  for (const result of report.results) {
    for (const row of result.strategyRows ?? []) {
      const judged = STRATEGIES.map((s) => row.cells[s]?.met).filter((m): m is boolean => m !== undefined);
      if (row.target && judged.length > 0) {
        const met = judged.every(Boolean);
        lines.push(
          `- ${met ? 'Met' : '**Not met**'}: ${result.section}, ${row.measure.toLowerCase()} (target ${row.target}; measured ${row.cells.leases?.value ?? '–'}).${row.note ? ` ${row.note}` : ''}`,
        );
      } else if (row.note) {
        lines.push(`- Note: ${result.section}, ${row.measure.toLowerCase()}: ${row.note}`);
      }
    }
    for (const row of result.systemRows ?? []) {
      if (row.target && row.met !== undefined) {
        lines.push(
          `- ${row.met ? 'Met' : '**Not met**'}: ${row.measure} (target ${row.target}; measured ${row.value}).${row.note ? ` ${row.note}` : ''}`,
        );
      } else if (row.note) {
        lines.push(`- Note: ${row.measure}: ${row.note}`);
      }
    }
  }
  for (const failure of report.failures)
    lines.push(`- **Not measured**: ${failure.section} failed in this run: ${failure.error}`);
  return lines;
}

/** The markdown report (docs/benchmarks.md for a full run, test-output/bench-quick.md for --quick). */
export function renderReport(report: BenchReport): string {
  const env = report.environment;
  const seconds = (report.elapsedMs / 1000).toFixed(0);
  const out: string[] = [
    '# Benchmarks',
    '',
    `<!-- Written by \`${report.command}\`; do not edit by hand: run it again. -->`,
    '',
    `Written by \`${report.command}\` (${report.scale} run) on ${report.startedAt.toISOString().replace('T', ' ').slice(0, 16)} UTC in ${seconds} s. ` +
      'Every figure below was measured in this one run, on the Momento emulator (`local/emulator/`) with the unchanged `@gomomento/sdk`; none is asserted in a test.',
    '',
    '## Machine and versions',
    '',
    `- CPU: ${env.cpu}, ${env.cores} cores; memory ${env.memoryGiB} GiB; ${env.os}`,
    `- Load: 1-minute load average ${env.loadAverage} when the run began${report.loadAverageAtEnd !== undefined ? `, ${report.loadAverageAtEnd} when it ended` : ''} (other processes on the machine slow every round trip)`,
    `- Node.js ${env.node}; ${Object.entries(env.versions)
      .map(([name, version]) => `${name} ${version}`)
      .join(', ')}`,
    `- Emulator and engine: this repository at commit ${env.commit}`,
    `- Command: \`${report.command}\``,
    '',
    '## Results',
    '',
    renderTables(report),
    '',
    '## Targets',
    '',
    ...renderTargets(report),
    '',
    '## How each figure was measured',
    '',
    ...report.setup.flatMap((paragraph) => [paragraph, '']),
    ...report.results.flatMap((result) => [
      `**${result.section}.** ${result.method}${result.elapsedMs !== undefined ? ` (${(result.elapsedMs / 1000).toFixed(1)} s)` : ''}`,
      '',
    ]),
  ];
  return `${out.join('\n').trimEnd()}\n`;
}
