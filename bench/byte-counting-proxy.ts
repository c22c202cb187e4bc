import net from 'node:net';

/** Bytes that crossed the proxy since the last reset, each way. */
export interface ByteCounts {
  readonly toServer: number;
  readonly toClient: number;
}

export interface ByteCountingProxy {
  /** `host:port` clients connect to instead of the emulator. */
  readonly address: string;
  readonly hostname: string;
  readonly port: number;
  counts(): ByteCounts;
  reset(): void;
  close(): Promise<void>;
}

/**
 * A TCP relay in front of the emulator that counts the bytes each way: what a Momento client
 * sends and receives on the wire (gRPC over HTTP/2, headers and framing included, no TLS), the
 * quantity Momento bills as data transferred.
 */
export async function startByteCountingProxy(target: { hostname: string; port: number }): Promise<ByteCountingProxy> {
  let toServer = 0;
  let toClient = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.hostname);
    // Without this, Nagle and delayed ACKs add ~40 ms to every small request.
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    sockets.add(client);
    sockets.add(upstream);
    client.on('data', (chunk: Buffer) => (toServer += chunk.length));
    upstream.on('data', (chunk: Buffer) => (toClient += chunk.length));
    client.pipe(upstream);
    upstream.pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, target.hostname, () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    address: `${target.hostname}:${port}`,
    hostname: target.hostname,
    port,
    counts: () => ({ toServer, toClient }),
    reset: () => {
      toServer = 0;
      toClient = 0;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
