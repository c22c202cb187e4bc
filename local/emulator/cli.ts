import { z } from 'zod';
import { startEmulator } from './emulator';
import { errorMessage } from './error-message';

/** `npm run emulator -- --port 9090 [--http-port 9091] [--host 127.0.0.1] [--cache NAME ...]` */
const argsSchema = z.object({
  port: z.coerce.number().int().min(0).max(65535).default(9090),
  httpPort: z.coerce.number().int().min(0).max(65535).default(0),
  host: z.string().min(1).default('127.0.0.1'),
  heartbeatMs: z.coerce.number().int().positive().optional(),
  caches: z.array(z.string().min(1)).default([]),
});

const FLAGS: Record<string, 'port' | 'httpPort' | 'host' | 'heartbeatMs' | 'cache'> = {
  '--port': 'port',
  '--http-port': 'httpPort',
  '--host': 'host',
  '--heartbeat-ms': 'heartbeatMs',
  '--cache': 'cache',
};

function parseArgs(argv: readonly string[]): z.infer<typeof argsSchema> {
  const raw: Record<string, unknown> = { caches: [] as string[] };
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i] as string;
    const [name, inline] = flag.includes('=') ? (flag.split('=', 2) as [string, string]) : [flag, undefined];
    const key = FLAGS[name];
    if (key === undefined)
      throw new Error(`unknown option ${flag}; use --port, --http-port, --host, --heartbeat-ms or --cache`);
    const value = inline ?? argv[(i += 1)];
    if (value === undefined) throw new Error(`${name} needs a value`);
    if (key === 'cache') (raw.caches as string[]).push(value);
    else raw[key] = value;
  }
  return argsSchema.parse(raw);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const emulator = await startEmulator({
    port: args.port,
    httpPort: args.httpPort,
    hostname: args.host,
    caches: args.caches,
    ...(args.heartbeatMs !== undefined ? { heartbeatIntervalMs: args.heartbeatMs } : {}),
  });
  process.stdout.write(
    `momento emulator listening on ${emulator.address} (gRPC) and ${emulator.httpUrl} (HTTP topics)` +
      (args.caches.length > 0 ? `; caches: ${args.caches.join(', ')}` : '') +
      '\n',
  );
  const shutdown = (signal: string) => {
    process.stdout.write(`momento emulator stopping (${signal})\n`);
    emulator.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`momento emulator: ${errorMessage(error)}\n`);
  process.exit(1);
});
