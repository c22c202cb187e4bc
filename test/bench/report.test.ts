import type { MeasurementResult } from '../../bench/bench-results';
import { renderReport, renderTables, type BenchReport } from '../../bench/report';

const overshoot: MeasurementResult = {
  section: 'Overshoot',
  method: '50 admissions at once, limit 3.',
  strategyRows: [
    {
      measure: 'Most admitted above the limit',
      target: 'leases: 0',
      note: 'The seeds check, then write.',
      cells: {
        leases: { value: '0', met: true },
        'capped-list': { value: '47' },
        'interval-dictionary': { value: '47' },
      },
    },
  ],
};

const tokens: MeasurementResult = {
  section: 'Token vending',
  method: 'Admissions through vendToken.',
  systemRows: [
    {
      measure: 'Auth calls per 1,000 admissions | reuse on',
      value: '1000',
      target: '≤ 100',
      met: false,
      note: 'Caching the token failed.',
    },
  ],
  elapsedMs: 1234,
};

function report(overrides: Partial<BenchReport> = {}): BenchReport {
  return {
    scale: 'quick',
    command: 'npm run bench -- --quick',
    startedAt: new Date('2026-11-25T13:00:00Z'),
    elapsedMs: 42_000,
    environment: {
      cpu: 'Test CPU',
      cores: 2,
      memoryGiB: 4,
      os: 'Linux',
      loadAverage: 1.5,
      node: 'v20.0.0',
      versions: { '@gomomento/sdk': '1.118.1' },
      commit: 'abc1234',
    },
    results: [overshoot, tokens],
    failures: [],
    setup: ['Time is compressed.'],
    ...overrides,
  };
}

describe('benchmark report', () => {
  it('puts each strategy in its own column and judges only the cells that have a target', () => {
    const tables = renderTables(report());
    expect(tables).toContain('| Measure | leases | capped list | interval dictionaries | Target | Met |');
    expect(tables).toContain('| Overshoot: Most admitted above the limit | 0 | 47 | 47 | leases: 0 | yes |');
  });

  it('marks a missed target and escapes pipes inside cells', () => {
    const tables = renderTables(report());
    expect(tables).toContain('| Auth calls per 1,000 admissions \\| reuse on | 1000 | ≤ 100 | **no** |');
  });

  it('states the command, machine, versions and the verdict with its reason', () => {
    const text = renderReport(report());
    expect(text).toMatch(/^# Benchmarks\n/);
    expect(text).toContain('`npm run bench -- --quick` (quick run) on 2026-11-25 13:00 UTC in 42 s');
    expect(text).toContain('Test CPU, 2 cores');
    expect(text).toContain('@gomomento/sdk 1.118.1');
    expect(text).toContain('commit abc1234');
    expect(text).toContain(
      '- **Not met**: Auth calls per 1,000 admissions | reuse on (target ≤ 100; measured 1000). Caching the token failed.',
    );
    expect(text).toContain(
      '- Met: Overshoot, most admitted above the limit (target leases: 0; measured 0). The seeds check, then write.',
    );
    expect(text).toContain('**Token vending.** Admissions through vendToken. (1.2 s)');
  });

  it('lists a measurement that failed instead of dropping it silently', () => {
    const text = renderReport(
      report({ results: [overshoot], failures: [{ section: 'Release', error: 'the subscriber never subscribed' }] }),
    );
    expect(text).toContain('- **Not measured**: Release failed in this run: the subscriber never subscribed');
    expect(text).not.toContain('Token vending');
  });
});
