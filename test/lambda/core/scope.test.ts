import {
  controlTopicName,
  heartbeatTopicName,
  resolveScope,
  ScopeError,
  shardOf,
} from '../../../lambda/core/engine/scope';

describe('scopes and topics', () => {
  it('keys each scope kind distinctly', () => {
    expect(resolveScope('account', 'acc-1').key).toBe('a|acc-1');
    expect(resolveScope('account-content', 'acc-1', 'film').key).toBe('ac|acc-1|film');
    expect(resolveScope('content', 'acc-1', 'room-7').key).toBe('c|room-7');
    expect(resolveScope('content', 'acc-2', 'room-7').key).toBe(resolveScope('content', 'acc-1', 'room-7').key);
  });

  it('requires content under content scopes', () => {
    expect(() => resolveScope('content', 'acc-1')).toThrow(ScopeError);
    expect(() => resolveScope('account-content', 'acc-1')).toThrow(/contentId is required/);
  });

  it('maps an account to one stable shard within range', () => {
    const shards = new Set<number>();
    for (let i = 0; i < 200; i += 1) {
      const shard = shardOf(`account-${i}`, 4);
      expect(shard).toBe(shardOf(`account-${i}`, 4));
      expect(shard).toBeGreaterThanOrEqual(0);
      expect(shard).toBeLessThan(4);
      shards.add(shard);
    }
    expect(shards.size).toBe(4);
    expect(shardOf('anything', 1)).toBe(0);
  });

  it('names topics as the contract says', () => {
    expect(heartbeatTopicName('heartbeat', 0, 1)).toBe('heartbeat');
    expect(heartbeatTopicName('heartbeat', 2, 4)).toBe('heartbeat-2');
    expect(controlTopicName('control-', 'acc-1')).toBe('control-acc-1');
  });
});
