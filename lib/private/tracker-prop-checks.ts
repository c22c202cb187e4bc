import { Duration, Token } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { MOMENTO_ENDPOINT_HOST } from '../../contract/identifiers';
import { MAX_LIMIT, MAX_TOKEN_TTL_SECONDS, MAX_TOPIC_SHARDS } from '../../contract/limits';
import { ConcurrencyTrackerProps, FailureMode } from '../concurrency-tracker-props';
import { AuthorizationKind } from '../tracker-authorization';
import { isKnown, PropProblems } from './prop-validation';
import { TrackerSettings } from './tracker-settings';

/** A soft problem: synthesis goes on, and the user sees a warning they can acknowledge. */
export interface SoftProblem {
  /** Warning id, acknowledgeable with `Validations.of(tracker).acknowledge()`. */
  readonly id: string;
  /** What is risky and what to change. */
  readonly message: string;
}

/** Momento's default limit of topic subscriptions per region. */
const MOMENTO_DEFAULT_SUBSCRIPTIONS = 100;
/** Momento names: letters, digits, `-`, `_` and `.`. */
const MOMENTO_NAME = /^[A-Za-z0-9_.-]+$/;
/** Valid Fargate memory sizes (MiB) per CPU value. */
const FARGATE_MEMORY: Record<number, number[]> = {
  256: [512, 1024, 2048],
  512: range(1024, 4096, 1024),
  1024: range(2048, 8192, 1024),
  2048: range(4096, 16384, 1024),
  4096: range(8192, 30720, 1024),
  8192: range(16384, 61440, 4096),
  16384: range(32768, 122880, 8192),
};

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let v = from; v <= to; v += step) out.push(v);
  return out;
}

/** Seconds of a duration, or undefined when it is an unresolved token (checked at deploy instead). */
function seconds(d: Duration | undefined): number | undefined {
  if (d === undefined || d.isUnresolved()) return undefined;
  return d.toSeconds({ integral: false });
}

/** Heartbeat interval, lease, token lifetime, session duration and Momento timeout. */
export function checkTiming(s: TrackerSettings, p: PropProblems): void {
  const interval = seconds(s.heartbeatInterval);
  const lease = seconds(s.leaseDuration);
  if (interval !== undefined && (interval < 1 || !Number.isInteger(interval))) {
    p.add(`heartbeatInterval must be a whole number of seconds of at least 1 (got ${interval} s).`);
  }
  if (lease !== undefined && !Number.isInteger(lease)) {
    p.add(`leaseDuration must be a whole number of seconds (got ${lease} s).`);
  }
  if (interval !== undefined && lease !== undefined && lease <= 2 * interval) {
    p.add(
      `leaseDuration (${lease} s) must be more than twice heartbeatInterval (${interval} s), so one late ` +
        `heartbeat does not end a session. Set leaseDuration to at least ${2 * interval + 1} s ` +
        `(${3 * interval} s recommended) or shorten heartbeatInterval.`,
    );
  }
  const token = seconds(s.tokenLifetime);
  if (token !== undefined && token > MAX_TOKEN_TTL_SECONDS) {
    p.add(`tokenLifetime (${token} s) exceeds Momento's maximum of ${MAX_TOKEN_TTL_SECONDS / 3600} hours; lower it.`);
  }
  if (token !== undefined && lease !== undefined && token < lease) {
    p.add(`tokenLifetime (${token} s) must be at least leaseDuration (${lease} s); a device could not keep its lease.`);
  }
  const maxSession = seconds(s.maxSessionDuration);
  if (maxSession !== undefined && lease !== undefined && maxSession < lease) {
    p.add(
      `maxSessionDuration (${maxSession} s) is shorter than leaseDuration (${lease} s); raise it or ` +
        'leave it unset for no maximum.',
    );
  }
  const timeout = seconds(s.momentoTimeout);
  if (timeout !== undefined && (timeout < 0.1 || timeout > 10)) {
    p.add(`momentoTimeout must be between 100 ms and 10 s (got ${timeout} s): it bounds calls on the request path.`);
  }
}

/** Limit and shard counts. */
export function checkCounts(s: TrackerSettings, p: PropProblems): void {
  if (
    isKnown(s.defaultLimit) &&
    (!Number.isInteger(s.defaultLimit) || s.defaultLimit < 1 || s.defaultLimit > MAX_LIMIT)
  ) {
    p.add(`defaultLimit must be a whole number from 1 to ${MAX_LIMIT} (got ${s.defaultLimit}).`);
  }
  if (
    isKnown(s.topicShards) &&
    (!Number.isInteger(s.topicShards) || s.topicShards < 1 || s.topicShards > MAX_TOPIC_SHARDS)
  ) {
    p.add(`topicShards must be a whole number from 1 to ${MAX_TOPIC_SHARDS} (got ${s.topicShards}).`);
  }
  if (
    isKnown(s.subscriberGroups) &&
    (!Number.isInteger(s.subscriberGroups) || s.subscriberGroups < 1 || s.subscriberGroups > s.topicShards)
  ) {
    p.add(
      `subscriberGroups must be a whole number from 1 to topicShards (${s.topicShards}); got ` +
        `${s.subscriberGroups}. Raise topicShards to run more subscriber groups.`,
    );
  }
  if (
    isKnown(s.subscriberDesiredCount) &&
    (!Number.isInteger(s.subscriberDesiredCount) || s.subscriberDesiredCount < 0)
  ) {
    p.add(`subscriberDesiredCount must be a whole number of 0 or more (got ${s.subscriberDesiredCount}).`);
  }
}

/** Fargate size of a subscriber task. */
export function checkSubscriberSize(s: TrackerSettings, p: PropProblems): void {
  if (!isKnown(s.subscriberCpu) || !isKnown(s.subscriberMemoryMiB)) return;
  const memories = FARGATE_MEMORY[s.subscriberCpu];
  if (!memories) {
    p.add(`subscriberCpu must be one of ${Object.keys(FARGATE_MEMORY).join(', ')} (got ${s.subscriberCpu}).`);
    return;
  }
  if (!memories.includes(s.subscriberMemoryMiB)) {
    p.add(
      `subscriberMemoryMiB ${s.subscriberMemoryMiB} is not valid with subscriberCpu ${s.subscriberCpu} on ` +
        `Fargate; use one of ${memories[0]}..${memories[memories.length - 1]} (${memories.join(', ')}).`,
    );
  }
}

/** Cache, topic and namespace names. */
export function checkNames(s: TrackerSettings, p: PropProblems): void {
  const names: Array<[string, string]> = [
    ['cacheName', s.cacheName],
    ['heartbeatTopicName', s.heartbeatTopicName],
    ['controlTopicPrefix', s.controlTopicPrefix],
  ];
  for (const [prop, value] of names) {
    if (isKnown(value) && !MOMENTO_NAME.test(value)) {
      p.add(`${prop} "${value}" may contain only letters, digits, "-", "_" and ".".`);
    }
  }
  if (isKnown(s.metricsNamespace) && !/^[A-Za-z0-9_./#:-]{1,255}$/.test(s.metricsNamespace)) {
    p.add(`metricsNamespace "${s.metricsNamespace}" is not a valid CloudWatch namespace.`);
  }
}

/** Momento's endpoint: a host name, to which the SDK prefixes `cache.`, `control.` and `token.`. */
export function checkMomentoEndpoint(s: TrackerSettings, p: PropProblems): void {
  const endpoint = s.momentoEndpoint;
  if (!isKnown(endpoint)) return;
  if (!MOMENTO_ENDPOINT_HOST.test(endpoint)) {
    p.add(
      `momentoEndpoint "${endpoint}" must be a host name such as cell-4-us-west-2-1.prod.a.momentohq.com, ` +
        "with no scheme (https://), port or path: the endpoint of your cache's region (https://docs.momentohq.com/platform/regions).",
    );
  }
}

/** JWT and Cognito authorisation settings. */
export function checkAuthorization(s: TrackerSettings, p: PropProblems): void {
  const auth = s.authorization;
  if (auth.kind !== AuthorizationKind.IAM && !auth.accountClaim) {
    p.add('authorization needs accountClaim: the claim that holds the account id.');
  }
  if (auth.kind === AuthorizationKind.COGNITO && (auth.cognitoProps?.userPools.length ?? 0) === 0) {
    p.add('TrackerAuthorization.cognito() needs at least one user pool.');
  }
  if (auth.kind === AuthorizationKind.JWT) {
    const jwt = auth.jwtProps!;
    // The list of audiences may be a token (a parameter list); its length is then unknown.
    if (isKnown(jwt.issuer) && !/^https:\/\//.test(jwt.issuer)) {
      p.add(`the JWT issuer must be an https URL (got "${jwt.issuer}").`);
    }
    if (isKnown(jwt.audience) && jwt.audience.length === 0) {
      p.add('the JWT authorization needs at least one audience: tokens for other clients must not be accepted.');
    }
    if (isKnown(jwt.jwksUri) && !/^https:\/\//.test(jwt.jwksUri)) {
      p.add(`the JWKS URI must be an https URL (got "${jwt.jwksUri}").`);
    }
  }
}

/** An existing cluster and VPC must agree. */
export function checkNetwork(props: ConcurrencyTrackerProps, p: PropProblems): void {
  if (props.cluster && props.vpc && props.cluster.vpc !== props.vpc) {
    p.add('cluster and vpc are both set but the cluster is in another VPC; pass only cluster.');
  }
}

/** Records every hard problem of the props. */
export function checkProps(props: ConcurrencyTrackerProps, s: TrackerSettings, p: PropProblems): void {
  checkTiming(s, p);
  checkCounts(s, p);
  checkSubscriberSize(s, p);
  checkNames(s, p);
  checkMomentoEndpoint(s, p);
  checkAuthorization(s, p);
  checkNetwork(props, p);
  checkFunctionOptions(props, p);
}

/** Memory, timeout and reserved concurrency of each Lambda, within Lambda's limits. */
function checkFunctionOptions(props: ConcurrencyTrackerProps, p: PropProblems): void {
  const functions = [
    ['tokenVendingFunction', props.tokenVendingFunction],
    ['entitlementFunction', props.entitlementFunction],
    ['jwtAuthorizerFunction', props.jwtAuthorizerFunction],
  ] as const;
  for (const [name, options] of functions) {
    const memory = options?.memorySize;
    if (isKnown(memory) && (!Number.isInteger(memory) || memory < 128 || memory > 10240)) {
      p.add(`${name}.memorySize must be a whole number of MiB from 128 to 10240 (got ${memory}).`);
    }
    const timeout = seconds(options?.timeout);
    if (timeout !== undefined && (timeout < 1 || timeout > 29)) {
      p.add(`${name}.timeout must be from 1 to 29 seconds (got ${timeout} s): API Gateway gives up after 29 s.`);
    }
    const reserved = options?.reservedConcurrentExecutions;
    if (isKnown(reserved) && (!Number.isInteger(reserved) || reserved < 1)) {
      p.add(
        `${name}.reservedConcurrentExecutions must be a whole number of 1 or more (got ${reserved}); 0 would turn the function off.`,
      );
    }
  }
}

/** The soft problems of the props. */
export function findSoftProblems(props: ConcurrencyTrackerProps, s: TrackerSettings): SoftProblem[] {
  const problems: SoftProblem[] = [];
  const interval = seconds(s.heartbeatInterval);
  const lease = seconds(s.leaseDuration);
  if (interval !== undefined && lease !== undefined && lease < 3 * interval) {
    problems.push({
      id: 'ConcurrencyTracker:ShortLease',
      message:
        `leaseDuration (${lease} s) is less than three heartbeat intervals (${3 * interval} s): two lost ` +
        'heartbeats in a row end a session that is still playing. Consider a longer lease.',
    });
  }
  if (s.subscriberDesiredCount === 0) {
    problems.push({
      id: 'ConcurrencyTracker:NoSubscriber',
      message:
        'subscriberDesiredCount is 0: no heartbeat subscriber runs, so no lease is refreshed and every ' +
        'session ends one lease after admission. (The first deploy needs no 0: the subscriber waits for its key.)',
    });
  } else if (s.subscriberDesiredCount < 2) {
    problems.push({
      id: 'ConcurrencyTracker:SingleSubscriber',
      message:
        'subscriberDesiredCount is 1: while that task restarts, heartbeats are not recorded and active ' +
        'sessions can expire. Run 2 or more (they process heartbeats idempotently).',
    });
  }
  const subscriptions = s.subscriberDesiredCount * s.topicShards;
  if (subscriptions > MOMENTO_DEFAULT_SUBSCRIPTIONS / 2) {
    problems.push({
      id: 'ConcurrencyTracker:ManySubscriptions',
      message:
        `the subscribers hold ${subscriptions} topic subscriptions (tasks x shards); Momento's default ` +
        `limit is ${MOMENTO_DEFAULT_SUBSCRIPTIONS} per region, shared with devices on control topics. ` +
        'Ask Momento to raise it before deploying.',
    });
  }
  if (s.failureMode === FailureMode.OPEN) {
    problems.push({
      id: 'ConcurrencyTracker:FailOpen',
      message:
        'failureMode is OPEN: while Momento is unreachable every device is admitted without counting. ' +
        'Acknowledge this warning if that is the intended trade-off.',
    });
  }
  if (props.lifecycleEvents === false && props.eventBus) {
    problems.push({
      id: 'ConcurrencyTracker:UnusedEventBus',
      message: 'eventBus is set but lifecycleEvents is false, so no events are sent; remove one of them.',
    });
  }
  return problems;
}

/**
 * The account claim of a Cognito authoriser must be one users cannot write: with
 * `custom:accountId` writable by an app client (Cognito lets a client write every writable
 * attribute when its `writeAttributes` is unset), a user sets it to another account's id and
 * acts as that account. Runs at synthesis, when the app's clients exist. A pool created in the
 * app is checked against every `UserPoolClient` of it in the construct tree; an imported pool's
 * clients cannot be seen, so it gets a reminder instead.
 */
export function findAccountClaimProblems(s: TrackerSettings): SoftProblem[] {
  const auth = s.authorization;
  const claim = auth.accountClaim;
  if (auth.kind !== AuthorizationKind.COGNITO || !claim || Token.isUnresolved(claim) || !claim.startsWith('custom:'))
    return [];
  const problems: SoftProblem[] = [];
  const writers: string[] = [];
  let imported = false;
  for (const pool of auth.cognitoProps?.userPools ?? []) {
    if (!(pool.node.defaultChild instanceof cognito.CfnUserPool)) {
      imported = true;
      continue;
    }
    for (const client of pool.node.root.node.findAll()) {
      if (!(client instanceof cognito.CfnUserPoolClient) || client.userPoolId !== pool.userPoolId) continue;
      const writable = client.writeAttributes;
      if (
        writable === undefined ||
        (Array.isArray(writable) && writable.includes(claim)) ||
        Token.isUnresolved(writable)
      ) {
        writers.push(client.node.scope?.node.path ?? client.node.path);
      }
    }
  }
  if (writers.length > 0) {
    problems.push({
      id: 'ConcurrencyTracker:WritableAccountClaim',
      message:
        `accountClaim "${claim}" is a custom attribute that app client(s) ${writers.join(', ')} may write ` +
        "(writeAttributes unset means every writable attribute): a user who sets it to another account's id " +
        "acts as that account. Leave it out of every client's writeAttributes (ClientAttributes) and set it " +
        'from your backend (AdminUpdateUserAttributes) or a pre-token-generation trigger, or use "sub".',
    });
  }
  if (imported) {
    problems.push({
      id: 'ConcurrencyTracker:UncheckedAccountClaim',
      message:
        `accountClaim "${claim}" is a custom attribute of an imported user pool, whose app clients this app ` +
        'cannot see: it must be read-only for every app client (not in any writeAttributes), or a user who ' +
        'writes it acts as another account. Acknowledge this warning once you have checked.',
    });
  }
  return problems;
}
