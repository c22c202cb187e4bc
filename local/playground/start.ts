// `npm start`: the whole system running locally (see docs/playground.md).
import { parsePlaygroundOptions, PLAYGROUND_USAGE, PlaygroundOptionsError, type PlaygroundOptions } from './playground-options';
import { startPlayground, type Playground } from './playground';

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

  let playground: Playground;
  try {
    playground = await startPlayground(options);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      console.error(`npm start: port ${options.port} is in use; pick another with --port N (or --port 0 for any free port)`);
      process.exit(2);
    }
    console.error('npm start: the playground did not start:', error);
    process.exit(1);
  }

  console.log(`playground: API        ${playground.apiUrl}   (POST /tokens, GET|DELETE /accounts/{id}/sessions)`);
  console.log(`playground: dashboard  ${playground.dashboardUrl}`);
  console.log(`playground: device     ${playground.deviceUrl}   (open two or three tabs)`);
  console.log(`playground: emulator   ${playground.emulatorAddress} (gRPC), ${playground.emulatorHttpUrl} (HTTP topics)`);
  console.log(
    `playground: ${options.devices} simulated device(s) over ${options.accounts} account(s), limit ${options.limit}, ` +
      `strategy ${options.strategy}, heartbeat ${options.heartbeatIntervalSeconds}s, lease ${options.leaseSeconds}s, at limit ${options.atLimit}`,
  );
  console.log('playground: press Ctrl-C to stop');

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) {
      console.error(`playground: ${signal} again, exiting now`);
      process.exit(1);
    }
    stopping = true;
    console.log(`playground: ${signal}, stopping devices, subscriber, server and emulator`);
    const force = setTimeout(() => {
      console.error('playground: did not stop within 10 s, exiting');
      process.exit(1);
    }, 10_000);
    force.unref();
    playground
      .stop()
      .then(() => {
        console.log('playground: stopped');
        // gRPC channels of the SDK clients may linger a moment; everything of ours is closed.
        process.exit(0);
      })
      .catch((error: unknown) => {
        console.error('playground: error while stopping:', error);
        process.exit(1);
      });
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

void main(process.argv.slice(2));
