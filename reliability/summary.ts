import { formatFigure, type PromiseResult, type RunInfo } from './promise-result';

/** The plain-text summary the runner prints after Jest. */
export function renderSummary(run: RunInfo, results: readonly PromiseResult[]): string {
  const lines = [
    '',
    '== Reliability summary ==',
    `command: ${run.command}   scale: ${run.scale}   date: ${run.date}   node: ${run.node}`,
    `tests: ${run.tests.passed} passed, ${run.tests.failed} failed   wall time: ${run.seconds.toFixed(1)} s`,
  ];
  for (const r of results) {
    lines.push(
      '',
      `[${r.status === 'passed' ? 'PASS' : r.status.toUpperCase()}] ${r.id}: ${r.promise}`,
      `       (${r.test})`,
    );
    for (const name of r.failing) lines.push(`       failing check: ${name}`);
    const width = Math.max(...Object.keys(r.figures).map((k) => k.length));
    for (const [name, value] of Object.entries(r.figures))
      lines.push(`       ${name.padEnd(width)}  ${formatFigure(value)}`);
  }
  if (results.length === 0) lines.push('', 'no figures were recorded');
  return lines.join('\n');
}
