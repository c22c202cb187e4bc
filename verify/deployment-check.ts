import {
  decodeControlMessage,
  describeIssues,
  encodeHeartbeat,
  tokenGrantSchema,
  type TokenGrant,
} from '../client/contracts';
import {
  asTopicTransportError,
  type TopicAddress,
  type TopicSubscription,
  type TopicTransport,
} from '../client/topic-transport';
import { SigningError, type ApiAnswer, type ApiCaller } from './api-caller';

/** The steps, in the order they run. */
export const CHECK_STEPS = ['admit', 'list', 'check', 'heartbeat', 'evict', 'confirm'] as const;
export type CheckStepName = (typeof CHECK_STEPS)[number];

/** The outcome of one step. */
export interface CheckStep {
  /** 1-based position in {@link CHECK_STEPS}. */
  readonly number: number;
  readonly name: CheckStepName;
  readonly ok: boolean;
  /** From the step's first request to its answer (for `heartbeat`: first publish to the subscriber's record). */
  readonly ms: number;
  /** What was seen, or why it failed. */
  readonly detail: string;
}

export interface DeploymentCheckResult {
  readonly ok: boolean;
  readonly steps: readonly CheckStep[];
  /** After a failure: whether the test session could be ended (undefined when none was admitted). */
  readonly cleanup?: string;
}

export interface DeploymentCheckOptions {
  readonly api: ApiCaller;
  /** The account the test device is admitted on; under a JWT or Cognito authoriser, the token's account. */
  readonly accountId: string;
  readonly deviceId: string;
  /** How heartbeats are published and the control topic is read (the device client's transport). */
  readonly topics: TopicTransport;
  /**
   * How long the subscriber has to record a heartbeat.
   * @default - the grant's lease plus two heartbeat intervals
   */
  readonly heartbeatWaitMs?: number;
  /** How long the eviction has to reach the control topic. @default 15 000 ms */
  readonly evictionWaitMs?: number;
  /** Called as each step ends (to print progress). */
  readonly onStep?: (step: CheckStep) => void;
}

/** A step's failure, with the reason printed after "step N (name) failed:". */
class StepFailure extends Error {}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Plays one device's life against a deployed tracker, through its public routes and Momento topics:
 * admit (POST /tokens), list (GET /accounts/{id}/sessions), check (GET .../sessions/{sessionId}),
 * heartbeat (publish with the device token until the subscriber's record of it shows in the
 * check), evict (DELETE) and confirm (the check answers 404 and the device is told `evicted` on
 * its control topic). Stops at the first failed step and ends the test session if it was admitted.
 */
export async function runDeploymentCheck(options: DeploymentCheckOptions): Promise<DeploymentCheckResult> {
  const { api, accountId, deviceId, topics } = options;
  const steps: CheckStep[] = [];
  const sessionsPath = `/accounts/${encodeURIComponent(accountId)}/sessions`;
  let grant: TokenGrant | undefined;
  let subscription: TopicSubscription | undefined;
  let evicted = false;
  let evictedSeen: (() => void) | undefined;
  let controlError: string | undefined;

  const run = async (name: CheckStepName, body: () => Promise<string>): Promise<void> => {
    const started = performance.now();
    let step: CheckStep;
    try {
      const detail = await body();
      step = {
        number: CHECK_STEPS.indexOf(name) + 1,
        name,
        ok: true,
        ms: Math.round(performance.now() - started),
        detail,
      };
    } catch (error) {
      step = {
        number: CHECK_STEPS.indexOf(name) + 1,
        name,
        ok: false,
        ms: Math.round(performance.now() - started),
        detail: failureText(error),
      };
    }
    steps.push(step);
    options.onStep?.(step);
    if (!step.ok) throw new StepFailure(step.detail);
  };

  try {
    await run('admit', async () => {
      const answer = await call(api, 'POST', '/tokens', {
        accountId,
        deviceId,
        deviceName: 'cdk-concurrency-tracker-verify',
      });
      if (answer.status === 409) {
        throw new StepFailure(
          `409: account ${accountId} is at its limit (${describeAnswer(answer)}); run it with a fresh --account`,
        );
      }
      expectStatus(answer, 201, 'POST /tokens');
      const parsed = tokenGrantSchema.safeParse(answer.body);
      if (!parsed.success)
        throw new StepFailure(`201 but the answer is not a token grant: ${describeIssues(parsed.error)}`);
      if (parsed.data.degraded)
        throw new StepFailure(
          'admitted degraded (uncounted, no token): the Lambdas cannot reach Momento and failureMode is OPEN',
        );
      grant = parsed.data;
      return `201, session ${grant.sessionId} (${grant.active} of ${grant.limit} active), heartbeat every ${grant.heartbeatIntervalSeconds} s`;
    });
    const admitted = grant!;
    const sessionPath = `${sessionsPath}/${encodeURIComponent(admitted.sessionId)}`;

    await run('list', async () => {
      const answer = await call(api, 'GET', sessionsPath);
      expectStatus(answer, 200, `GET ${sessionsPath}`);
      const sessions = (answer.body as { sessions?: { sessionId?: unknown }[] } | undefined)?.sessions;
      if (!Array.isArray(sessions)) throw new StepFailure(`200 but no sessions list: ${answer.text.slice(0, 200)}`);
      if (!sessions.some((s) => s.sessionId === admitted.sessionId)) {
        throw new StepFailure(
          `200 but session ${admitted.sessionId} is not listed (${sessions.length} listed): the admission was not counted`,
        );
      }
      return `200, the session is listed (${sessions.length} active)`;
    });

    let admittedHeartbeatAt = 0;
    await run('check', async () => {
      const answer = await call(api, 'GET', sessionPath);
      expectStatus(answer, 200, `GET ${sessionsPath}/{sessionId}`);
      admittedHeartbeatAt = timeOf((answer.body as { lastHeartbeatAt?: unknown }).lastHeartbeatAt) ?? 0;
      return '200, the session is counted';
    });

    const control: TopicAddress = {
      token: admitted.token,
      cacheName: admitted.cacheName,
      topic: admitted.controlTopic,
    };
    subscription = topics.subscribe(control, {
      onMessage: (text) => {
        const message = decodeControlMessage(text);
        if (message?.type === 'evicted' && message.sessionId === admitted.sessionId) {
          evicted = true;
          evictedSeen?.();
        }
      },
      onError: (error) => void (controlError = `${error.kind}: ${error.message}`),
    });

    await run('heartbeat', async () => {
      const heartbeat: TopicAddress = {
        token: admitted.token,
        cacheName: admitted.cacheName,
        topic: admitted.heartbeatTopic,
      };
      const message = encodeHeartbeat({
        v: 1,
        type: 'heartbeat',
        sessionId: admitted.sessionId,
        deviceId,
        sessionKey: admitted.sessionKey ?? '',
      });
      const intervalMs = admitted.heartbeatIntervalSeconds * 1000;
      const waitMs =
        options.heartbeatWaitMs ??
        (admitted.leaseSeconds ?? 3 * admitted.heartbeatIntervalSeconds) * 1000 + 2 * intervalMs;
      const deadline = Date.now() + waitMs;
      let published = 0;
      let nextPublish = 0;
      while (Date.now() < deadline) {
        if (Date.now() >= nextPublish) {
          try {
            await topics.publish(heartbeat, message);
          } catch (error) {
            const failure = asTopicTransportError(error);
            const hint =
              failure.code === 'invalid-url'
                ? ' (this token does not name its Momento endpoint: give the topics API URL, --topics-url)'
                : '';
            throw new StepFailure(
              `publishing to topic ${admitted.heartbeatTopic} with the device token failed (${failure.kind}${failure.code === undefined ? '' : ` ${failure.code}`}): ${failure.message}${hint}`,
            );
          }
          published += 1;
          nextPublish = Date.now() + intervalMs;
        }
        await sleep(Math.min(500, intervalMs));
        const answer = await call(api, 'GET', sessionPath);
        if (answer.status === 404)
          throw new StepFailure(
            `the session ended while heartbeating (404: ${describeAnswer(answer)}): its heartbeats are not reaching the subscriber`,
          );
        expectStatus(answer, 200, `GET ${sessionsPath}/{sessionId}`);
        const recorded = timeOf((answer.body as { lastHeartbeatAt?: unknown }).lastHeartbeatAt);
        if (recorded !== undefined && recorded > admittedHeartbeatAt)
          return `published ${published}, recorded by the subscriber (lastHeartbeatAt ${new Date(recorded).toISOString()})`;
      }
      throw new StepFailure(
        `published ${published} heartbeat(s) but the subscriber recorded none within ${Math.round(waitMs / 1000)} s: ` +
          'is the subscriber running and subscribed (SubscriberDown, SubscriberWaiting alarms; docs/operations.md)?',
      );
    });

    await run('evict', async () => {
      const answer = await call(api, 'DELETE', sessionPath);
      expectStatus(answer, 200, `DELETE ${sessionsPath}/{sessionId}`);
      return '200, the session was ended';
    });

    await run('confirm', async () => {
      const answer = await call(api, 'GET', sessionPath);
      if (answer.status !== 404)
        throw new StepFailure(
          `the session check still answers ${answer.status} after DELETE (expected 404 session-not-found)`,
        );
      const waitMs = options.evictionWaitMs ?? 15_000;
      if (!evicted) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, waitMs);
          evictedSeen = () => (clearTimeout(timer), resolve());
        });
      }
      if (!evicted) {
        throw new StepFailure(
          `the check answers 404, but no "evicted" message reached the device's control topic ${admitted.controlTopic} within ${Math.round(waitMs / 1000)} s` +
            (controlError ? ` (the subscription failed: ${controlError})` : ''),
        );
      }
      return '404 session-not-found, and the device was told "evicted" on its control topic';
    });
    return { ok: true, steps };
  } catch (error) {
    if (!(error instanceof StepFailure)) throw error;
    return {
      ok: false,
      steps,
      cleanup:
        grant && !steps.some((s) => s.name === 'evict' && s.ok)
          ? await endTestSession(api, sessionsPath, grant.sessionId)
          : undefined,
    };
  } finally {
    subscription?.close();
  }
}

async function endTestSession(api: ApiCaller, sessionsPath: string, sessionId: string): Promise<string> {
  try {
    const answer = await api('DELETE', `${sessionsPath}/${encodeURIComponent(sessionId)}`);
    if (answer.status === 200 || answer.status === 404) return `the test session ${sessionId} was ended`;
    return `could not end the test session ${sessionId} (${describeAnswer(answer)}): it ends one lease after its last heartbeat`;
  } catch (error) {
    return `could not end the test session ${sessionId} (${failureText(error)}): it ends one lease after its last heartbeat`;
  }
}

/** A request, with a failure to send it turned into the step's reason. */
async function call(
  api: ApiCaller,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<ApiAnswer> {
  try {
    return await api(method, path, body);
  } catch (error) {
    if (error instanceof SigningError) throw new StepFailure(error.message);
    throw new StepFailure(
      `${method} ${path} could not be sent: ${failureText(error)} (is the API URL right and reachable?)`,
    );
  }
}

function expectStatus(answer: ApiAnswer, expected: number, route: string): void {
  if (answer.status === expected) return;
  throw new StepFailure(`${route} answered ${describeAnswer(answer)}, expected ${expected}${hintFor(answer)}`);
}

/** `403 forbidden: <message>`, or API Gateway's own `{ message }`. */
function describeAnswer(answer: ApiAnswer): string {
  const body = answer.body as { error?: unknown; message?: unknown; Message?: unknown } | undefined;
  const message = body?.message ?? body?.Message;
  if (typeof body?.error === 'string')
    return `${answer.status} ${body.error}${typeof message === 'string' ? `: ${message}` : ''}`;
  if (typeof message === 'string') return `${answer.status}: ${message}`;
  return `${answer.status}${answer.text ? `: ${answer.text.slice(0, 200)}` : ''}`;
}

/** What API Gateway's and the tracker's usual refusals mean for the person running the check. */
function hintFor(answer: ApiAnswer): string {
  const message = String((answer.body as { message?: unknown } | undefined)?.message ?? '');
  const error = (answer.body as { error?: unknown } | undefined)?.error;
  if (answer.status === 403 && message === 'Missing Authentication Token')
    return ' (API Gateway: no such route under this URL, or the request was not signed; check the URL ends with the stage, e.g. /v1/)';
  if (answer.status === 403 && /security token|signature/i.test(message))
    return " (API Gateway refused the AWS credentials: check the profile and that the URL's region is the API's)";
  if (answer.status === 403 && /is not authorized to (perform|access)/i.test(message))
    return ' (API Gateway: these credentials have no execute-api:Invoke grant; tracker.grantInvoke(role))';
  if (answer.status === 401) return ' (the authoriser refused the JWT: check its issuer, audience and expiry)';
  if (answer.status === 404) return ' (no such route: check the URL ends with the API stage, e.g. /v1/)';
  if (answer.status === 500 && error === 'misconfigured')
    return ' (the Lambdas have no usable Momento key yet: docs/operations.md, "Secrets to fill after deploy")';
  if (answer.status === 503) return ' (the Lambdas cannot reach Momento, or the cache does not exist)';
  return '';
}

function timeOf(value: unknown): number | undefined {
  const time = typeof value === 'string' ? Date.parse(value) : typeof value === 'number' ? value : NaN;
  return Number.isFinite(time) ? time : undefined;
}

function failureText(error: unknown): string {
  if (error instanceof StepFailure || error instanceof SigningError) return error.message;
  if (error instanceof Error) {
    const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
    const why =
      typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : undefined;
    return why ? `${error.message}: ${why}` : error.message;
  }
  return String(error);
}
