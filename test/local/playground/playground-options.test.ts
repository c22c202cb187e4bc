import {
  DEFAULT_PLAYGROUND_OPTIONS,
  parsePlaygroundOptions,
  PlaygroundOptionsError,
} from '../../../local/playground/playground-options';

describe('parsePlaygroundOptions', () => {
  it('gives the defaults for no arguments', () => {
    expect(parsePlaygroundOptions([])).toEqual(DEFAULT_PLAYGROUND_OPTIONS);
    expect(DEFAULT_PLAYGROUND_OPTIONS.port).toBe(3000);
    expect(DEFAULT_PLAYGROUND_OPTIONS.strategy).toBe('leases');
  });

  it('reads every option in both spellings', () => {
    const options = parsePlaygroundOptions([
      '--port',
      '0',
      '--devices=0',
      '--limit',
      '3',
      '--strategy',
      'capped-list',
      '--heartbeat-interval',
      '1',
      '--lease=4',
      '--at-limit',
      'evict-oldest',
      '--accounts',
      '5',
      '--host',
      '0.0.0.0',
      '--token-ttl',
      '30',
      '--max-session=120',
      '--failure-mode',
      'open',
    ]);
    expect(options).toEqual({
      port: 0,
      host: '0.0.0.0',
      devices: 0,
      accounts: 5,
      limit: 3,
      strategy: 'capped-list',
      heartbeatIntervalSeconds: 1,
      leaseSeconds: 4,
      atLimit: 'evict-oldest',
      tokenTtlSeconds: 30,
      maxSessionSeconds: 120,
      failureMode: 'open',
    });
  });

  it('answers help for --help and -h', () => {
    expect(parsePlaygroundOptions(['--help'])).toBe('help');
    expect(parsePlaygroundOptions(['-h'])).toBe('help');
  });

  it.each([
    [['--port', '70000'], /--port must be at most 65535/],
    [['--port', 'abc'], /--port must be a non-negative number, got 'abc'/],
    [['--port', '-1'], /--port/],
    [['--devices', '1.5'], /--devices must be a whole number/],
    [['--limit', '0'], /--limit must be at least 1/],
    [['--limit', '101'], /--limit must be at most 100/],
    [['--strategy', 'magic'], /--strategy must be one of leases, capped-list, interval-dictionary/],
    [['--at-limit', 'queue'], /--at-limit must be one of reject, evict-oldest/],
    [['--lease', '2', '--heartbeat-interval', '2'], /--lease \(2s\) must be longer than --heartbeat-interval \(2s\)/],
    [['--heartbeat-interval', '0'], /--heartbeat-interval must be at least 1/],
    [['--token-ttl', '3'], /--token-ttl \(3s\) must be at least two --heartbeat-interval \(2s\)/],
    [['--token-ttl', '90001'], /--token-ttl must be at most 90000/],
    [['--max-session', '2'], /--max-session \(2s\) must be longer than --heartbeat-interval \(2s\), or 0/],
    [['--max-session', '-5'], /--max-session/],
    [['--failure-mode', 'maybe'], /--failure-mode must be one of closed, open/],
    [['--colour', 'blue'], /Unknown option '--colour'/],
    [['stray'], /positional argument/],
    [['--port'], /argument missing/],
  ])('refuses %j with a clear message', (argv, message) => {
    expect(() => parsePlaygroundOptions(argv)).toThrow(PlaygroundOptionsError);
    expect(() => parsePlaygroundOptions(argv)).toThrow(message);
  });
});
