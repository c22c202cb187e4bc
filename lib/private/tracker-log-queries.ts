import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** Properties of `TrackerLogQueries`. */
export interface TrackerLogQueriesProps {
  /** Folder of the saved queries in Logs Insights (the part of each name before the last `/`). */
  readonly folder: string;
  /** The token-vending Lambda's log group. */
  readonly tokenVendingLogGroup: logs.ILogGroup;
  /** The entitlement Lambda's log group. */
  readonly entitlementLogGroup: logs.ILogGroup;
  /** The container log group of each subscriber group. */
  readonly subscriberLogGroups: logs.ILogGroup[];
  /**
   * The Vonage functions' log groups.
   * @default - none (no `vonage` prop)
   */
  readonly vonageLogGroups?: logs.ILogGroup[];
}

/** The runtime's log messages of one account's session story (lambda/core/engine.ts, session-lifecycle.ts, token-vending.ts; the subscriber). */
export const SESSION_STORY = [
  'session admitted',
  'admission denied',
  'session ended',
  'token refresh without the session key refused',
  'device messages throttled for one account',
] as const;

/** The request path's log messages when a Momento call failed (lambda/core/engine.ts, request-errors.ts). */
export const MOMENTO_FAILURE_MESSAGES = [
  'admission could not reach Momento',
  'entitlement check could not reach Momento',
  'session check could not reach Momento',
  'Momento call failed',
] as const;

/**
 * The question each saved query answers; the runbook (docs/operations.md, "Saved queries") names
 * them by these titles. The fields are the ones the runtime's Powertools JSON log lines carry
 * (`level`, `message`, `service`, and the fields each line adds); a test checks each filtered
 * message against the runtime's source.
 */
export enum TrackerLogQuery {
  /** `admission denied` lines of token vending, counted by account and reason. */
  DENIALS_BY_ACCOUNT = 'Admission denials by account',
  /** Every ERROR line of every component, counted by component and message. */
  ERRORS_BY_COMPONENT = 'Errors by component',
  /** One account's admissions, denials and session ends in time order (replace ACCOUNT_ID). */
  ACCOUNT_SESSIONS = 'Sessions of one account over time',
  /** `device messages throttled for one account` lines of the subscribers, summed by account. */
  THROTTLED_HEARTBEATS_BY_ACCOUNT = 'Throttled heartbeats by account',
  /** Request-path calls that could not reach Momento, by component, failure kind and 5 minutes. */
  MOMENTO_FAILURES = 'Momento failures on the request path',
  /** The subscribers' connection story: started, subscribed, stream lost, reconnected, ended. */
  SUBSCRIBER_CONNECTION = 'Subscriber connection to Momento',
}

/**
 * The Logs Insights query of each question. Words in capitals (ACCOUNT_ID) are for the reader to
 * replace. `limit` is quoted with backticks where it is a field: unquoted it is a command.
 */
export const TRACKER_LOG_QUERY_STRINGS: Record<TrackerLogQuery, logs.QueryStringProps> = {
  [TrackerLogQuery.DENIALS_BY_ACCOUNT]: {
    fields: ['@timestamp', 'accountId', 'reason', '`limit`', 'active'],
    filterStatements: ['message = "admission denied"'],
    statsStatements: ['count(*) as denials, max(`limit`) as accountLimit by accountId, reason'],
    sort: 'denials desc',
    limit: 100,
  },
  [TrackerLogQuery.ERRORS_BY_COMPONENT]: {
    fields: ['@timestamp', 'coalesce(service, @log) as component', 'message', 'error', 'kind'],
    filterStatements: ['level = "ERROR"'],
    statsStatements: ['count(*) as errors, latest(error) as lastError by component, message'],
    sort: 'errors desc',
  },
  [TrackerLogQuery.ACCOUNT_SESSIONS]: {
    fields: ['@timestamp', 'service', 'message', 'sessionId', 'deviceId', 'reason', '`limit`', 'active'],
    filterStatements: [
      'accountId = "ACCOUNT_ID"',
      `message in [${SESSION_STORY.map((m) => JSON.stringify(m)).join(', ')}]`,
    ],
    sort: '@timestamp asc',
    limit: 1000,
  },
  [TrackerLogQuery.THROTTLED_HEARTBEATS_BY_ACCOUNT]: {
    fields: ['@timestamp', 'accountId', 'reason', 'throttled'],
    filterStatements: ['message = "device messages throttled for one account"'],
    statsStatements: ['sum(throttled) as dropped, count(*) as lines by accountId, reason'],
    sort: 'dropped desc',
    limit: 100,
  },
  [TrackerLogQuery.MOMENTO_FAILURES]: {
    fields: ['@timestamp', 'service', 'message', 'kind', 'failureMode', 'error'],
    filterStatements: [`message in [${MOMENTO_FAILURE_MESSAGES.map((m) => JSON.stringify(m)).join(', ')}]`],
    statsStatements: ['count(*) as failures by bin(5m) as period, service, kind'],
    sort: 'period desc',
  },
  [TrackerLogQuery.SUBSCRIBER_CONNECTION]: {
    fields: ['@timestamp', '@logStream', 'level', 'message', 'topic', 'shard', 'kind', 'hint', 'error'],
    filterStatements: [
      'message like /heartbeat subscriber|heartbeat shard|heartbeat stream|heartbeat subscription|expiry sweep|data key|key secrets/',
    ],
    sort: '@timestamp desc',
    limit: 500,
  },
};

/**
 * Saved CloudWatch Logs Insights queries for the questions the runbook asks, each over the log
 * groups whose lines it reads. Created with the tracker's monitoring (`monitoring.logQueries`).
 */
export class TrackerLogQueries extends Construct {
  /** The saved queries, by question. */
  public readonly queries: Record<TrackerLogQuery, logs.QueryDefinition>;
  /** The name of each saved query as Logs Insights lists it (`<folder>/<question>`). */
  public readonly queryNames: Record<TrackerLogQuery, string>;

  constructor(scope: Construct, id: string, props: TrackerLogQueriesProps) {
    super(scope, id);
    const requestPath = [props.tokenVendingLogGroup, props.entitlementLogGroup, ...(props.vonageLogGroups ?? [])];
    const everything = [...requestPath, ...props.subscriberLogGroups];
    // Session ends are logged by whoever ends them: the subscriber (stop, expiry), entitlement
    // (DELETE), token vending (eviction, replacement).
    const sessions = [props.tokenVendingLogGroup, props.entitlementLogGroup, ...props.subscriberLogGroups];
    const groups: Record<TrackerLogQuery, logs.ILogGroup[]> = {
      [TrackerLogQuery.DENIALS_BY_ACCOUNT]: [props.tokenVendingLogGroup],
      [TrackerLogQuery.ERRORS_BY_COMPONENT]: everything,
      [TrackerLogQuery.ACCOUNT_SESSIONS]: sessions,
      [TrackerLogQuery.THROTTLED_HEARTBEATS_BY_ACCOUNT]: props.subscriberLogGroups,
      [TrackerLogQuery.MOMENTO_FAILURES]: requestPath,
      [TrackerLogQuery.SUBSCRIBER_CONNECTION]: props.subscriberLogGroups,
    };
    const queries = {} as Record<TrackerLogQuery, logs.QueryDefinition>;
    const names = {} as Record<TrackerLogQuery, string>;
    for (const question of Object.values(TrackerLogQuery)) {
      names[question] = `${props.folder}/${question}`;
      queries[question] = new logs.QueryDefinition(this, pascalCase(question), {
        queryDefinitionName: names[question],
        queryString: new logs.QueryString(TRACKER_LOG_QUERY_STRINGS[question]),
        logGroups: groups[question],
      });
    }
    this.queries = queries;
    this.queryNames = names;
  }
}

function pascalCase(text: string): string {
  return text.replace(/(^|\s)(\w)/g, (_, __, letter: string) => letter.toUpperCase()).replace(/\W/g, '');
}
