import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_LEASE_INTERVALS, ENVIRONMENT_DEFAULTS } from '../../contract/environment';
import { AtLimitBehavior, CountingStrategy, FailureMode, LimitScope } from '../../lib';
import { DEFAULTS } from '../../lib/private/tracker-settings';

// The "Default settings" tables of the README and docs/construct.md, parsed and checked against the
// defaults as the code defines them: the contract's (what the runtime applies to an unset variable
// and the construct to an unset prop) and the construct's own (lib/private/tracker-settings.ts). A default
// changed in one place only fails here.

const repo = path.join(__dirname, '..', '..');

/** The rows of the markdown table under `## Default settings`: each prop of the first column with its default cell. */
function documentedDefaults(file: string): Map<string, string> {
  const text = fs.readFileSync(path.join(repo, file), 'utf8');
  const start = text.indexOf('\n## Default settings');
  if (start < 0) throw new Error(`${file} has no "## Default settings" section`);
  const section = text.slice(start + 1).split(/\n## /)[0];
  const defaults = new Map<string, string>();
  for (const line of section.split('\n')) {
    const cells = line.split(/(?<!\\)\|/).map((cell) => cell.trim());
    if (cells.length < 4 || !cells[1].startsWith('`')) continue; // not a row of props
    const props = cells[1].split(' / ').map((prop) => prop.replace(/`/g, ''));
    // A row of several props (`a` / `b`) gives their defaults in the same order (x / y).
    const values = props.length > 1 ? cells[2].split(' / ') : [cells[2]];
    props.forEach((prop, i) => defaults.set(prop, props.length === values.length ? values[i] : cells[2]));
  }
  return defaults;
}

const firstCode = (cell: string) => /`([^`]*)`/.exec(cell)?.[1];
const firstNumber = (cell: string) => Number(/\d+/.exec(cell)?.[0]);
/** The enum member named first (`REJECT`, or `AtLimitBehavior.REJECT`). */
const firstMember = (cell: string) => /\b[A-Z][A-Z_]+\b/.exec(cell)?.[0];
/** The member of a props enum whose value is `value`. */
const memberOf = (enumeration: Record<string, string>, value: string) =>
  Object.keys(enumeration).find((key) => enumeration[key] === value);

/** A duration as the tables write it: `10 s`, `1 hour`. */
function spoken(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} hour${seconds === 3600 ? '' : 's'}`;
  return `${seconds} s`;
}

/** What each checked prop's default cell must say, and what it says in the code. */
const expectations: Record<string, { read: (cell: string) => unknown; expected: unknown }> = {
  cacheName: { read: firstCode, expected: DEFAULTS.cacheName },
  heartbeatTopicName: { read: firstCode, expected: ENVIRONMENT_DEFAULTS.HEARTBEAT_TOPIC },
  controlTopicPrefix: { read: firstCode, expected: ENVIRONMENT_DEFAULTS.CONTROL_TOPIC_PREFIX },
  heartbeatInterval: {
    read: (cell) => cell.startsWith(spoken(ENVIRONMENT_DEFAULTS.HEARTBEAT_INTERVAL_SECONDS)),
    expected: true,
  },
  leaseDuration: {
    read: (cell) => /^(\d+) × `heartbeatInterval` \((\d+) s\)/.exec(cell)?.slice(1, 3).map(Number),
    expected: [DEFAULT_LEASE_INTERVALS, ENVIRONMENT_DEFAULTS.LEASE_SECONDS],
  },
  defaultLimit: { read: firstNumber, expected: ENVIRONMENT_DEFAULTS.DEFAULT_LIMIT },
  atLimit: { read: firstMember, expected: memberOf(AtLimitBehavior, ENVIRONMENT_DEFAULTS.AT_LIMIT) },
  limitScope: { read: firstMember, expected: memberOf(LimitScope, ENVIRONMENT_DEFAULTS.LIMIT_SCOPE) },
  countingStrategy: { read: firstMember, expected: memberOf(CountingStrategy, ENVIRONMENT_DEFAULTS.COUNTING_STRATEGY) },
  maxSessionDuration: {
    read: (cell) => cell.startsWith('none'),
    expected: ENVIRONMENT_DEFAULTS.MAX_SESSION_SECONDS === 0,
  },
  tokenLifetime: { read: (cell) => cell.startsWith(spoken(ENVIRONMENT_DEFAULTS.TOKEN_TTL_SECONDS)), expected: true },
  failureMode: { read: firstMember, expected: memberOf(FailureMode, ENVIRONMENT_DEFAULTS.FAILURE_MODE) },
  momentoTimeout: {
    read: (cell) => cell.startsWith(spoken(ENVIRONMENT_DEFAULTS.MOMENTO_TIMEOUT_MS / 1000)),
    expected: true,
  },
  topicShards: { read: firstNumber, expected: ENVIRONMENT_DEFAULTS.TOPIC_SHARDS },
  subscriberGroups: { read: firstNumber, expected: DEFAULTS.subscriberGroups },
  subscriberCpu: { read: firstNumber, expected: DEFAULTS.subscriberCpu },
  subscriberMemoryMiB: { read: firstNumber, expected: DEFAULTS.subscriberMemoryMiB },
  subscriberDesiredCount: { read: firstNumber, expected: DEFAULTS.subscriberDesiredCount },
  apiThrottle: {
    read: (cell) => /^(\d+) requests\/s, bursts of (\d+)/.exec(cell)?.slice(1, 3).map(Number),
    expected: [DEFAULTS.apiRateLimit, DEFAULTS.apiBurstLimit],
  },
  metricsNamespace: { read: firstCode, expected: ENVIRONMENT_DEFAULTS.POWERTOOLS_METRICS_NAMESPACE },
};

describe.each(['README.md', 'docs/construct.md'])('the defaults table of %s', (file) => {
  const documented = documentedDefaults(file);

  test.each(Object.keys(expectations))('%s: as the code defines it', (prop) => {
    const cell = documented.get(prop);
    expect([prop, cell === undefined ? 'missing from the table' : 'documented']).toEqual([prop, 'documented']);
    const { read, expected } = expectations[prop];
    expect([prop, cell, read(cell!)]).toEqual([prop, cell, expected]);
  });
});

test('the props enums name the contract default values', () => {
  // A default the enums lack would make a row above compare with `undefined` and pass on a missing member.
  for (const [enumeration, value] of [
    [AtLimitBehavior, ENVIRONMENT_DEFAULTS.AT_LIMIT],
    [LimitScope, ENVIRONMENT_DEFAULTS.LIMIT_SCOPE],
    [CountingStrategy, ENVIRONMENT_DEFAULTS.COUNTING_STRATEGY],
    [FailureMode, ENVIRONMENT_DEFAULTS.FAILURE_MODE],
  ] as const) {
    expect(memberOf(enumeration, value)).toBeDefined();
  }
});
