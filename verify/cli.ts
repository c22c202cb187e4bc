// `cdk-concurrency-tracker-verify`: checks a deployed tracker end to end (docs/operations.md,
// "Checking a deployment"). Exit code 0 when every step passed, 1 when one failed, 2 for bad usage.
// `create-cache` creates the Momento cache on request (create-cache-command.ts).
import { randomBytes } from 'node:crypto';
import { createHttpTopicTransport } from '../client/http-topic-transport';
import { createApiCaller, regionOfApiUrl, type ApiAuth } from './api-caller';
import { parseOptions, settingsOrExitCode, UsageError, type CommandOutput } from './command-line';
import { createCacheCommand } from './create-cache-command';
import { CHECK_STEPS, runDeploymentCheck, type CheckStep } from './deployment-check';

const USAGE = `usage: cdk-concurrency-tracker-verify --url <API URL> [options]

Admits a test device, heartbeats, reads the entitlement and session checks, evicts the session and
confirms the eviction reached the device, printing each step with its latency.

  --url URL          the tracker's API URL with its stage (the TrackerUrl output), e.g.
                     https://abc123.execute-api.us-west-2.amazonaws.com/v1/
  --jwt TOKEN        call with this JWT (JWT or Cognito authoriser); also TRACKER_VERIFY_JWT.
                     Without it, requests are signed with SigV4 from the AWS credentials in
                     the environment (AWS_PROFILE, access keys, SSO, role)
  --account ID       the account to admit the test device on (default: a new verify-<random>
                     account, so no real session is touched; with --jwt: the token's account,
                     required). Do not use a real account with atLimit EVICT_OLDEST
  --device ID        the test device's id (default: verify-<random>)
  --region REGION    the API's region for SigV4 (default: from the URL, else AWS_REGION)
  --topics-url URL   the Momento HTTP topics API (default: from the device token's endpoint;
                     the local playground: its own URL)
  --help             this text

       cdk-concurrency-tracker-verify create-cache --cache <name> [options]
creates the Momento cache with the super-user key in MOMENTO_API_KEY (create-cache --help).

Exit code: 0 when every step passed, 1 when a step failed ("step N (name) failed: why"), 2 for
bad usage.`;

/** Runs the command with `argv` (without node and the script) and resolves with its exit code. */
export async function main(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  io: CommandOutput = consoleOutput,
): Promise<number> {
  if (argv[0] === 'create-cache') return createCacheCommand(argv.slice(1), env, io);
  const parsed = settingsOrExitCode(() => parseSettings(argv, env), 'cdk-concurrency-tracker-verify', USAGE, io);
  if ('exitCode' in parsed) return parsed.exitCode;
  const { url, auth, accountId, deviceId, topicsUrl } = parsed.settings;
  const how = auth.kind === 'jwt' ? 'a JWT' : `SigV4 (${auth.region})`;
  io.out(`verify: ${url.href} with ${how}, account ${accountId}, device ${deviceId}`);
  const result = await runDeploymentCheck({
    api: createApiCaller(url, auth),
    accountId,
    deviceId,
    topics: createHttpTopicTransport(topicsUrl ? { baseUrl: topicsUrl } : {}),
    onStep: (step) => io.out(formatStep(step)),
  });
  if (result.ok) {
    io.out(
      `verify: all ${result.steps.length} steps passed in ${result.steps.reduce((sum, step) => sum + step.ms, 0)} ms`,
    );
    return 0;
  }
  const failed = result.steps[result.steps.length - 1]!;
  io.err(`step ${failed.number} (${failed.name}) failed: ${failed.detail}`);
  const skipped = CHECK_STEPS.slice(failed.number);
  if (skipped.length > 0) io.err(`not run: ${skipped.join(', ')}`);
  if (result.cleanup) io.err(result.cleanup);
  return 1;
}

type Settings =
  | 'help'
  | {
      readonly url: URL;
      readonly auth: ApiAuth;
      readonly accountId: string;
      readonly deviceId: string;
      readonly topicsUrl?: string;
    };

function parseSettings(argv: readonly string[], env: NodeJS.ProcessEnv): Settings {
  const values = parseOptions(argv, {
    url: { type: 'string' },
    jwt: { type: 'string' },
    account: { type: 'string' },
    device: { type: 'string' },
    region: { type: 'string' },
    'topics-url': { type: 'string' },
    help: { type: 'boolean' },
  });
  if (values.help) return 'help';
  const url = httpUrl(values.url as string | undefined, '--url');
  if (!url)
    throw new UsageError(
      '--url is required: the API URL with its stage, e.g. https://abc123.execute-api.us-west-2.amazonaws.com/v1/',
    );
  const jwt = (values.jwt as string | undefined) ?? env.TRACKER_VERIFY_JWT;
  const suffix = randomBytes(4).toString('hex');
  let auth: ApiAuth;
  if (jwt !== undefined) {
    if (jwt.trim() === '') throw new UsageError('--jwt is empty');
    if (values.account === undefined)
      throw new UsageError(
        "--account is required with --jwt: the account id the token's claim carries (the API only accepts the caller's own account)",
      );
    auth = { kind: 'jwt', token: jwt.trim() };
  } else {
    const region =
      (values.region as string | undefined) ?? regionOfApiUrl(url) ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
    if (!region) throw new UsageError("cannot tell the API's region from this URL: pass --region (or set AWS_REGION)");
    auth = { kind: 'sigv4', region };
  }
  const topicsUrl = httpUrl(values['topics-url'] as string | undefined, '--topics-url')?.href;
  return {
    url,
    auth,
    accountId: (values.account as string | undefined) ?? `verify-${suffix}`,
    deviceId: (values.device as string | undefined) ?? `verify-${suffix}`,
    topicsUrl,
  };
}

function httpUrl(value: string | undefined, option: string): URL | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${option} is not a URL: ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new UsageError(`${option} must be an http(s) URL: ${JSON.stringify(value)}`);
  return url;
}

function formatStep(step: CheckStep): string {
  return `${step.ok ? 'ok  ' : 'FAIL'}  ${step.number} ${step.name.padEnd(9)} ${`${step.ms} ms`.padStart(8)}  ${step.detail}`;
}

const consoleOutput: CommandOutput = { out: (line) => console.log(line), err: (line) => console.error(line) };

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      console.error(`cdk-concurrency-tracker-verify: ${error instanceof Error ? error.stack : String(error)}`);
      process.exitCode = 1;
    },
  );
}
