import { renderCapacity } from '../../bench/capacity';

const run = { command: 'npm run bench', date: new Date('2026-11-25T13:00:00Z'), benchmarksPath: 'benchmarks.md' };

describe('capacity model', () => {
  it('derives the deployment rows from the measured figures', () => {
    const text = renderCapacity(
      {
        leaseCallsPerHeartbeat: 3,
        leaseBytesPerHeartbeat: 1300,
        leaseCallsPerCheck: 3,
        leaseCallsPerAdmission: 5,
        subscriberCpuSecondsPer10k: 5,
        subscriberHeartbeatsPerSecond: 400,
      },
      run,
    );
    // 0.5 vCPU / 0.5 ms of CPU per heartbeat = 1,000 heartbeats/s per process.
    expect(text).toContain('handles about **1,000 heartbeats/s**');
    // 10,000 devices every 10 s = 1,000 heartbeats/s: one shard, two processes; 3 topic operations per heartbeat.
    expect(text).toContain('| heartbeats/s (devices / interval) | 1,000 | 33,333 | 166,667 |');
    expect(text).toContain('| subscriber processes (shards × 2) | 2 | 68 | 334 |');
    expect(text).toContain('| topic operations/s (publish + 2 deliveries per heartbeat) | 3,000 | 100,000 | 500,000 |');
    // 10 million devices need 167 shards of 1,000/s: over the maximum, and the page says what to do.
    expect(text).toContain('167 (**over the maximum of 64**)');
    expect(text).toContain('lengthen the heartbeat interval to at least 157 s');
  });

  it('prices heartbeats from the billed operations measured on the default deployment when the run has them', () => {
    const text = renderCapacity(
      {
        billedOperationsPerHeartbeat: 2.1,
        leaseCallsPerHeartbeat: 3,
        leaseCallsPerCheck: 1,
        leaseCallsPerAdmission: 3,
        subscriberCpuSecondsPer10k: 5,
      },
      run,
    );
    // The owner alone receives: one publish and one delivery, the rest of the 2.1 is cache calls.
    expect(text).toContain('| topic operations/s (publish + 1 delivery per heartbeat) | 2,000 | 66,667 | 333,333 |');
    expect(text).toContain('| cache operations/s (0.1 per heartbeat');
    expect(text).toContain(
      '| billed operations per heartbeat, default deployment (publish + deliveries + every cache call, 1 KB each) | 2.1 |',
    );
    // 5,000 accounts / 3,600 s token lifetime = 1.4 auth operations/s, within Momento's 5/s.
    expect(text).toContain(
      "| auth operations/s with reuse against Momento's 5/s per account (hard limit) | 1.4 (within) |",
    );
  });

  it('says what it could not compute instead of inventing figures', () => {
    const text = renderCapacity({ leaseCallsPerHeartbeat: 3 }, run);
    expect(text).toContain('**Not computed**');
    expect(text).not.toContain('## Deployments');
  });
});
