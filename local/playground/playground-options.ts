import { parseArgs } from 'node:util';
import { z } from 'zod';
import { describeSettingIssues } from '../../lambda/core/schema-issues';
import {
  AT_LIMIT_BEHAVIORS,
  COUNTING_STRATEGIES,
  type AtLimitBehavior,
  type CountingStrategyName,
} from '../../contract/settings';

// The counting strategies the engine offers and what the token-vending route does at the limit:
// the values of the contract (contract/settings.ts), as the deployed tracker takes them.

/** What POST /tokens answers while Momento is unreachable: 503 (`closed`) or a degraded admission (`open`). */
export const FAILURE_MODES = ['closed', 'open'] as const;
export type PlaygroundFailureMode = (typeof FAILURE_MODES)[number];

/** Everything `npm start` can be told; every field has a default. */
export interface PlaygroundOptions {
  /** Port of the local API and dashboard; 0 picks a free one. */
  readonly port: number;
  /** Host the HTTP server binds to. */
  readonly host: string;
  /** Simulated Node devices started at launch (0 for none). */
  readonly devices: number;
  /** Accounts the simulated devices are spread over. */
  readonly accounts: number;
  /** Default limit of every account. */
  readonly limit: number;
  readonly strategy: CountingStrategyName;
  readonly heartbeatIntervalSeconds: number;
  readonly leaseSeconds: number;
  readonly atLimit: AtLimitBehavior;
  /** Lifetime of the device tokens POST /tokens hands out, in seconds (the client refreshes before it ends). */
  readonly tokenTtlSeconds: number;
  /** Longest a session may last, in seconds (it then ends `expired`, `max-duration`); 0 for no limit. */
  readonly maxSessionSeconds: number;
  /** What POST /tokens answers while Momento is unreachable (see `POST /playground/momento-outage`). */
  readonly failureMode: PlaygroundFailureMode;
}

export const DEFAULT_PLAYGROUND_OPTIONS: PlaygroundOptions = {
  port: 3000,
  host: '127.0.0.1',
  devices: 4,
  accounts: 3,
  limit: 2,
  strategy: 'leases',
  // Short values so a person sees a crash free its slot within seconds.
  heartbeatIntervalSeconds: 2,
  leaseSeconds: 6,
  atLimit: 'reject',
  // The deployed defaults (lib/private/tracker-settings.ts): a rehearsal shortens them on the command line.
  tokenTtlSeconds: 3600,
  maxSessionSeconds: 0,
  failureMode: 'closed',
};

/** A bad command line: the message says what to change. */
export class PlaygroundOptionsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlaygroundOptionsError';
  }
}

export const PLAYGROUND_USAGE = `Usage: npm start -- [options]

  --port N                 port of the API and dashboard (default 3000; 0 = any free port)
  --host H                 address to bind (default 127.0.0.1)
  --devices N              simulated devices started at launch (default 4; 0 for none)
  --accounts N             accounts the simulated devices are spread over (default 3)
  --limit N                default limit of every account (default 2)
  --strategy S             leases | capped-list | interval-dictionary (default leases)
  --heartbeat-interval S   seconds between heartbeats (default 2)
  --lease S                seconds a silent device keeps its slot (default 6)
  --at-limit P             reject | evict-oldest (default reject)
  --token-ttl S            lifetime of device tokens in seconds (default 3600; at least 2 heartbeat intervals)
  --max-session S          longest a session may last in seconds (default 0: no limit)
  --failure-mode M         closed | open: what POST /tokens answers while Momento is down (default closed)
  --help                   print this text`;

const wholeNumber = (name: string, min: number, max: number) =>
  z.coerce
    .number({ error: `${name} must be a number` })
    .int({ error: `${name} must be a whole number` })
    .min(min, { error: `${name} must be at least ${min}` })
    .max(max, { error: `${name} must be at most ${max}` });

const rawOptionsSchema = z
  .object({
    port: wholeNumber('--port', 0, 65535).optional(),
    host: z.string().min(1, { error: '--host must not be empty' }).optional(),
    devices: wholeNumber('--devices', 0, 500).optional(),
    accounts: wholeNumber('--accounts', 1, 100).optional(),
    limit: wholeNumber('--limit', 1, 100).optional(),
    strategy: z
      .enum(COUNTING_STRATEGIES, { error: `--strategy must be one of ${COUNTING_STRATEGIES.join(', ')}` })
      .optional(),
    // Whole seconds and a limit of at most 100, as the runtime's configuration accepts.
    'heartbeat-interval': wholeNumber('--heartbeat-interval', 1, 3600).optional(),
    lease: wholeNumber('--lease', 2, 86400).optional(),
    'at-limit': z
      .enum(AT_LIMIT_BEHAVIORS, { error: `--at-limit must be one of ${AT_LIMIT_BEHAVIORS.join(', ')}` })
      .optional(),
    // The runtime's own bounds: a token lives at most 25 h (Momento's limit).
    'token-ttl': wholeNumber('--token-ttl', 1, 25 * 3600).optional(),
    'max-session': wholeNumber('--max-session', 0, 7 * 86400).optional(),
    'failure-mode': z
      .enum(FAILURE_MODES, { error: `--failure-mode must be one of ${FAILURE_MODES.join(', ')}` })
      .optional(),
  })
  .strict();

/** Digits only, so `--port ''` or `--port 0x10` is refused instead of coerced. */
const NUMERIC = /^\s*\d+(\.\d+)?\s*$/;

/**
 * Parses `npm start` arguments (`--name value` or `--name=value`). Throws PlaygroundOptionsError
 * for anything unknown or out of range; returns `'help'` when `--help` is asked for.
 */
export function parsePlaygroundOptions(argv: readonly string[]): PlaygroundOptions | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        devices: { type: 'string' },
        accounts: { type: 'string' },
        limit: { type: 'string' },
        strategy: { type: 'string' },
        'heartbeat-interval': { type: 'string' },
        lease: { type: 'string' },
        'at-limit': { type: 'string' },
        'token-ttl': { type: 'string' },
        'max-session': { type: 'string' },
        'failure-mode': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new PlaygroundOptionsError((error as Error).message);
  }
  if (values.help === true) return 'help';
  delete values.help;

  for (const name of [
    'port',
    'devices',
    'accounts',
    'limit',
    'heartbeat-interval',
    'lease',
    'token-ttl',
    'max-session',
  ]) {
    const value = values[name];
    if (typeof value === 'string' && !NUMERIC.test(value)) {
      throw new PlaygroundOptionsError(`--${name} must be a non-negative number, got '${value}'`);
    }
  }

  const parsed = rawOptionsSchema.safeParse(values);
  if (!parsed.success) {
    throw new PlaygroundOptionsError(describeSettingIssues(parsed.error).join('; '));
  }
  const raw = parsed.data;
  const options: PlaygroundOptions = {
    port: raw.port ?? DEFAULT_PLAYGROUND_OPTIONS.port,
    host: raw.host ?? DEFAULT_PLAYGROUND_OPTIONS.host,
    devices: raw.devices ?? DEFAULT_PLAYGROUND_OPTIONS.devices,
    accounts: raw.accounts ?? DEFAULT_PLAYGROUND_OPTIONS.accounts,
    limit: raw.limit ?? DEFAULT_PLAYGROUND_OPTIONS.limit,
    strategy: raw.strategy ?? DEFAULT_PLAYGROUND_OPTIONS.strategy,
    heartbeatIntervalSeconds: raw['heartbeat-interval'] ?? DEFAULT_PLAYGROUND_OPTIONS.heartbeatIntervalSeconds,
    leaseSeconds: raw.lease ?? DEFAULT_PLAYGROUND_OPTIONS.leaseSeconds,
    atLimit: raw['at-limit'] ?? DEFAULT_PLAYGROUND_OPTIONS.atLimit,
    tokenTtlSeconds: raw['token-ttl'] ?? DEFAULT_PLAYGROUND_OPTIONS.tokenTtlSeconds,
    maxSessionSeconds: raw['max-session'] ?? DEFAULT_PLAYGROUND_OPTIONS.maxSessionSeconds,
    failureMode: raw['failure-mode'] ?? DEFAULT_PLAYGROUND_OPTIONS.failureMode,
  };
  // A lease no longer than the interval would expire between two heartbeats of a healthy device.
  if (options.leaseSeconds <= options.heartbeatIntervalSeconds) {
    throw new PlaygroundOptionsError(
      `--lease (${options.leaseSeconds}s) must be longer than --heartbeat-interval (${options.heartbeatIntervalSeconds}s); ` +
        'three intervals or more is a good choice',
    );
  }
  // A token that ends before two heartbeats leaves the client no time to refresh it.
  if (options.tokenTtlSeconds < 2 * options.heartbeatIntervalSeconds) {
    throw new PlaygroundOptionsError(
      `--token-ttl (${options.tokenTtlSeconds}s) must be at least two --heartbeat-interval (${options.heartbeatIntervalSeconds}s), or the client cannot refresh it in time`,
    );
  }
  if (options.maxSessionSeconds > 0 && options.maxSessionSeconds <= options.heartbeatIntervalSeconds) {
    throw new PlaygroundOptionsError(
      `--max-session (${options.maxSessionSeconds}s) must be longer than --heartbeat-interval (${options.heartbeatIntervalSeconds}s), or 0 for no limit`,
    );
  }
  return options;
}
