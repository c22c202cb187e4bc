import fc from 'fast-check';
import { byteLength, isContractHeartbeat } from './payloads/heartbeat-contract';
import { DEFECTS, malformedBatch, malformedHeartbeat, MAX_PUBLISHED_BYTES } from './payloads/malformed-heartbeat';

// The fuzzer is only as good as its payloads: each must break the contract and fit in a topic message.
describe('malformed heartbeat generator', () => {
  const targets = { sessionIds: ['session-a'], deviceIds: ['device-a'] };

  it('accepts a contract heartbeat, so the reference check is not rejecting everything', () => {
    expect(
      isContractHeartbeat(JSON.stringify({ v: 1, type: 'heartbeat', sessionId: 's', deviceId: 'd', sessionKey: 'k' })),
    ).toBe(true);
    expect(
      isContractHeartbeat(
        JSON.stringify({
          v: 1,
          type: 'stop',
          sessionId: 's',
          deviceId: 'd',
          sessionKey: 'k',
          contentId: 'c',
          kind: 'video',
        }),
      ),
    ).toBe(true);
    expect(
      isContractHeartbeat(
        JSON.stringify({ v: 1, type: 'heartbeat', sessionId: 's', deviceId: 'd', contentId: 'x'.repeat(1100) }),
      ),
    ).toBe(false);
  });

  it('produces only payloads outside the contract that still fit in a topic message', () => {
    fc.assert(
      fc.property(malformedHeartbeat(targets), (m) => {
        expect(isContractHeartbeat(m.value)).toBe(false);
        expect(byteLength(m.value)).toBeLessThanOrEqual(MAX_PUBLISHED_BYTES);
      }),
      { numRuns: 2_000 },
    );
  });

  it('covers every kind of defect and aims some at the target sessions', () => {
    const batch = malformedBatch(3_000, 7, targets);
    const seen = new Set(batch.map((m) => m.defect));
    expect([...seen].sort()).toEqual([...DEFECTS].sort());
    const aimed = batch.filter((m) => typeof m.value === 'string' && m.value.includes('session-a'));
    expect(aimed.length).toBeGreaterThan(100);
  });

  it('is reproducible from its seed', () => {
    expect(malformedBatch(50, 42, targets)).toEqual(malformedBatch(50, 42, targets));
  });
});
