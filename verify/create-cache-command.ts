// `cdk-concurrency-tracker-verify create-cache`: creates the tracker's Momento cache for the
// operator, on request only (the subscriber never does: docs/operations.md, "Momento set-up").
import { CredentialProvider } from '@gomomento/sdk';
import { errorMessage } from '../client/error-message';
import { momentoCredentialProvider, momentoKeyKind } from '../lambda/core/adapters/momento-credential-provider';
import { MOMENTO_ENDPOINT_HOST } from '../contract/identifiers';
import { parseOptions, settingsOrExitCode, UsageError, type CommandOutput } from './command-line';
import { createMomentoCache, type CacheCreation } from './momento-cache-creation';

export const CREATE_CACHE_USAGE = `usage: MOMENTO_API_KEY=... cdk-concurrency-tracker-verify create-cache --cache <name> [options]

Creates the Momento cache the tracker uses (the construct's cacheName). The key is read from the
MOMENTO_API_KEY environment variable only, never from the command line, so it stays out of shell
history and process lists; creating a cache needs a super-user key.

  --cache NAME             the cache to create (the construct's cacheName prop)
  --endpoint HOST          the Momento endpoint of the cache's region, for a v2 API key (also
                           MOMENTO_ENDPOINT), e.g. cell-4-us-west-2-1.prod.a.momentohq.com;
                           v1 and legacy keys carry their own
  --local-endpoint H:PORT  a local Momento emulator, in plain text (npm run emulator)
  --timeout SECONDS        how long to wait for Momento (default 20)
  --help                   this text

Exit code: 0 created or already there, 1 refused by Momento (the key cannot create caches, is not
accepted, or the cache limit is reached), 2 bad usage, 3 Momento unreachable or another error.`;

const EXIT_CODES: Record<CacheCreation['outcome'], number> = {
  created: 0,
  'already-exists': 0,
  refused: 1,
  unreachable: 3,
  failed: 3,
};

/** Runs `create-cache` with the arguments after the sub-command; resolves with its exit code. */
export async function createCacheCommand(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: CommandOutput,
): Promise<number> {
  const parsed = settingsOrExitCode(
    () => parseSettings(argv, env),
    'cdk-concurrency-tracker-verify create-cache',
    CREATE_CACHE_USAGE,
    io,
  );
  if ('exitCode' in parsed) return parsed.exitCode;
  const { settings } = parsed;
  const result = await createMomentoCache(settings);
  const name = JSON.stringify(settings.cacheName);
  if ('detail' in result) io.err(`create-cache: cache ${name} not created: ${result.outcome}: ${result.detail}`);
  else if (result.outcome === 'created') io.out(`create-cache: created cache ${name}`);
  else io.out(`create-cache: cache ${name} already exists; nothing changed`);
  return EXIT_CODES[result.outcome];
}

type Settings =
  'help' | { readonly cacheName: string; readonly credentialProvider: CredentialProvider; readonly timeoutMs: number };

function parseSettings(argv: readonly string[], env: NodeJS.ProcessEnv): Settings {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseOptions(argv, {
      cache: { type: 'string' },
      endpoint: { type: 'string' },
      'local-endpoint': { type: 'string' },
      timeout: { type: 'string' },
      help: { type: 'boolean' },
    });
  } catch (error) {
    if (argv.some((arg) => /^--(api-?key|key|token)\b/.test(arg)))
      throw new UsageError('the key is read from MOMENTO_API_KEY only, never from the command line (shell history)');
    throw error;
  }
  if (values.help) return 'help';
  const cacheName = (values.cache as string | undefined)?.trim();
  if (!cacheName) throw new UsageError("--cache is required: the construct's cacheName");
  const key = env.MOMENTO_API_KEY?.trim();
  if (!key) throw new UsageError('MOMENTO_API_KEY is not set: export a super-user Momento API key in it');
  const timeoutSeconds = Number((values.timeout as string | undefined) ?? '20');
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1 || timeoutSeconds > 300)
    throw new UsageError('--timeout must be a whole number of seconds from 1 to 300');
  return { cacheName, credentialProvider: credentialsFor(key, values, env), timeoutMs: timeoutSeconds * 1000 };
}

function credentialsFor(
  key: string,
  values: Record<string, string | boolean | undefined>,
  env: NodeJS.ProcessEnv,
): CredentialProvider {
  const local = values['local-endpoint'] as string | undefined;
  if (local !== undefined) {
    const match = /^([^:\s]+):(\d{1,5})$/.exec(local.trim());
    if (!match) throw new UsageError(`--local-endpoint must be host:port, got ${JSON.stringify(local)}`);
    // As the runtime reads a key in a local run (momento-clients.ts), without importing its adapters.
    const address = `${match[1]}:${match[2]}`;
    return CredentialProvider.fromDisposableToken({
      authToken: key,
      endpointOverrides: {
        cacheEndpoint: address,
        controlEndpoint: address,
        tokenEndpoint: address,
        secureConnection: false,
      },
    });
  }
  const endpoint = ((values.endpoint as string | undefined) ?? env.MOMENTO_ENDPOINT)?.trim() || undefined;
  if (endpoint !== undefined && !MOMENTO_ENDPOINT_HOST.test(endpoint))
    throw new UsageError(
      `--endpoint must be a host name such as cell-4-us-west-2-1.prod.a.momentohq.com (no scheme, port or path), got ${JSON.stringify(endpoint)}`,
    );
  const kind = momentoKeyKind(key);
  // Checked here so the message names this command's inputs; the provider's would name the construct's.
  if (kind === undefined)
    throw new UsageError('MOMENTO_API_KEY is not a Momento API key: paste it as the console shows it, without quotes');
  if (kind === 'v2' && endpoint === undefined)
    throw new UsageError(
      "MOMENTO_API_KEY is a v2 API key, which does not carry its endpoint: pass --endpoint with the endpoint of the cache's region (https://docs.momentohq.com/platform/regions)",
    );
  try {
    return momentoCredentialProvider(key, endpoint, 'auth');
  } catch (error) {
    throw new UsageError(errorMessage(error));
  }
}
