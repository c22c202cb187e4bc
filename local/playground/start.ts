// `npm start`: the whole system running locally (see docs/playground.md).
import {
  parsePlaygroundOptions,
  PLAYGROUND_USAGE,
  PlaygroundOptionsError,
  type PlaygroundOptions,
} from './playground-options';
import { startPlayground, type Playground } from './playground';

/** Longest a stop may take before the process exits anyway. */
const STOP_TIMEOUT_MS = 10_000;

async function main(argv: readonly string[]): Promise<void> {
  let options: PlaygroundOptions | 'help';
  try {
    options = parsePlaygroundOptions(argv);
  } catch (error) {
    if (!(error instanceof PlaygroundOptionsError)) throw error;
    console.error(`npm start: ${error.message}\n\n${PLAYGROUND_USAGE}`);
    process.exit(2);
  }
  if (options === 'help') {
    console.log(PLAYGROUND_USAGE);
    return;
  }

  // Signals are handled from the first moment, so one arriving during start-up still stops
  // everything that was started.
  let playground: Playground | undefined;
  let stopReason: string | undefined;
  const stop = (running: Playground, reason: string) => {
    console.log(`playground: ${reason}, stopping devices, subscriber, server and emulator`);
    setTimeout(() => {
      console.error(`playground: did not stop within ${STOP_TIMEOUT_MS / 1000} s, exiting`);
      process.exit(1);
    }, STOP_TIMEOUT_MS).unref();
    running
      .stop()
      .then(() => {
        console.log('playground: stopped');
        // Everything of ours is closed; the SDK's idle gRPC channels need not be waited for.
        process.exit(0);
      })
      .catch((error: unknown) => {
        console.error('playground: error while stopping:', error);
        process.exit(1);
      });
  };
  const shutdown = (reason: string) => {
    if (stopReason !== undefined) {
      console.error(`playground: ${reason} again, exiting now`);
      process.exit(1);
    }
    stopReason = reason;
    if (playground) stop(playground, reason);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => shutdown(signal));

  // `npm start` runs this under `sh -c`, which dies on SIGTERM without passing it on: when the
  // parent goes away, stop the same clean way instead of running on as an orphan.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent && stopReason === undefined) shutdown('parent process gone');
  }, 500).unref();

  try {
    playground = await startPlayground(options);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      console.error(
        `npm start: port ${options.port} is in use; pick another with --port N (or --port 0 for any free port)`,
      );
      process.exit(2);
    }
    console.error('npm start: the playground did not start:', error);
    process.exit(1);
  }
  if (stopReason !== undefined) {
    stop(playground, stopReason);
    return;
  }

  console.log(`playground: API        ${playground.apiUrl}   (POST /tokens, GET|DELETE /accounts/{id}/sessions)`);
  console.log(`playground: dashboard  ${playground.dashboardUrl}`);
  console.log(`playground: device     ${playground.deviceUrl}   (open two or three tabs)`);
  console.log(
    `playground: emulator   ${playground.emulatorAddress} (gRPC), ${playground.emulatorHttpUrl} (HTTP topics)`,
  );
  console.log(
    `playground: ${options.devices} simulated device(s) over ${options.accounts} account(s), limit ${options.limit}, ` +
      `strategy ${options.strategy}, heartbeat ${options.heartbeatIntervalSeconds}s, lease ${options.leaseSeconds}s, at limit ${options.atLimit}, ` +
      `token ${options.tokenTtlSeconds}s, max session ${options.maxSessionSeconds > 0 ? `${options.maxSessionSeconds}s` : 'none'}, fail ${options.failureMode}`,
  );
  // performance.now() counts from the process start, so this includes compiling the sources.
  console.log(`playground: started in ${(performance.now() / 1000).toFixed(1)} s; press Ctrl-C to stop`);
}

void main(process.argv.slice(2));
