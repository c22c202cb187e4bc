import * as net from 'node:net';
import * as grpc from '@grpc/grpc-js';
import type { CallKind, FaultController } from './faults';
import { statusError } from './status-error';
import type { StatsCounter } from './stats';
import { callName, MOMENTO_SERVICES, unservedCall } from './unserved-calls';

/** Cache methods that only read; every other data method writes (fault kinds; the reliability suite's write count). */
export const CACHE_READ_METHODS: ReadonlySet<string> = new Set([
  'Get',
  'GetWithHash',
  'GetBatch',
  'KeysExist',
  'ItemGetTtl',
  'ItemGetType',
  'DictionaryGet',
  'DictionaryFetch',
  'DictionaryLength',
  'SetFetch',
  'SetSample',
  'SetContains',
  'SetLength',
  'ListFetch',
  'ListLength',
  'SortedSetFetch',
  'SortedSetGetScore',
  'SortedSetGetRank',
  'SortedSetLength',
  'SortedSetLengthByScore',
]);

/** How a service's calls are classified for faults. */
export type ServiceKind = 'cache' | 'control' | 'pubsub' | 'auth' | 'ping';

function callKind(service: ServiceKind, method: string): CallKind {
  switch (service) {
    case 'cache':
      return CACHE_READ_METHODS.has(method) ? 'cache-read' : 'cache-write';
    case 'pubsub':
      return method === 'Subscribe' ? 'subscribe' : 'publish';
    case 'auth':
      return 'auth';
    case 'control':
    case 'ping':
      return 'control';
  }
}

/** One service to serve: its definition, its handlers and how its calls count for faults. */
export interface ServedService {
  readonly definition: grpc.ServiceDefinition;
  readonly implementation: grpc.UntypedServiceImplementation;
  readonly kind: ServiceKind;
}

type UnaryHandler = (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => void;
type StreamHandler = (call: grpc.ServerWritableStream<unknown, unknown>) => void;

/**
 * Wraps a handler so every call is counted and passes the fault controller first: a failed call
 * never reaches the handler, a delayed one reaches it late. The no-fault path is one check.
 */
function withFaults(
  handler: grpc.UntypedHandleCall,
  method: string,
  kind: CallKind,
  streaming: boolean,
  faults: FaultController,
  stats: StatsCounter,
): grpc.UntypedHandleCall {
  const failure = (code: grpc.status) => statusError(code, `injected fault on ${method}`);
  if (streaming) {
    const inner = handler as StreamHandler;
    const wrapped: StreamHandler = (call) => {
      stats.countCall(method);
      const decision = faults.decide(kind);
      if (decision === undefined) return inner(call);
      const run = () => {
        if (call.cancelled) return;
        if (decision.failWith !== undefined) call.emit('error', failure(decision.failWith));
        else inner(call);
      };
      if (decision.delayMs > 0) setTimeout(run, decision.delayMs);
      else run();
    };
    return wrapped as grpc.UntypedHandleCall;
  }
  const inner = handler as UnaryHandler;
  const wrapped: UnaryHandler = (call, callback) => {
    stats.countCall(method);
    const decision = faults.decide(kind);
    if (decision === undefined) return inner(call, callback);
    const run = () => {
      if (decision.failWith !== undefined) callback(failure(decision.failWith));
      else inner(call, callback);
    };
    if (decision.delayMs > 0) setTimeout(run, decision.delayMs);
    else run();
  };
  return wrapped as grpc.UntypedHandleCall;
}

/** A running gRPC server on its own TCP listener, so connections can be refused and reset. */
export interface GrpcListener {
  readonly port: number;
  /** `Service/Method` of every Momento call answered UNIMPLEMENTED, in definition order. */
  readonly unservedCalls: readonly string[];
  /** Resets every open connection (the fault "refuse connections"). */
  resetConnections(): void;
  /** Closes every connection and stream at once. */
  stop(): Promise<void>;
}

/**
 * Serves `services` on `hostname:port`. The TCP listener is ours and hands accepted sockets to
 * grpc-js, which lets a fault refuse new connections and reset open ones.
 */
export async function listenGrpc(options: {
  hostname: string;
  port: number;
  services: readonly ServedService[];
  faults: FaultController;
  stats: StatsCounter;
}): Promise<GrpcListener> {
  const server = new grpc.Server({ 'grpc.max_receive_message_length': 8 * 1024 * 1024 });
  const unserved: string[] = [];
  const answerUnserved = (
    wrapped: grpc.UntypedServiceImplementation,
    method: string,
    definition: grpc.MethodDefinition<unknown, unknown>,
  ) => {
    wrapped[method] = unservedCall(definition);
    unserved.push(callName(definition));
  };
  for (const service of options.services) {
    const wrapped: grpc.UntypedServiceImplementation = {};
    for (const [method, definition] of Object.entries(service.definition)) {
      const handler = service.implementation[method];
      if (handler === undefined) {
        answerUnserved(wrapped, method, definition);
        continue;
      }
      wrapped[method] = withFaults(
        handler,
        method,
        callKind(service.kind, method),
        definition.responseStream,
        options.faults,
        options.stats,
      );
    }
    server.addService(service.definition, wrapped);
  }
  // Every other Momento service is registered too, so each of its calls gets the same answer.
  for (const definition of MOMENTO_SERVICES.filter((d) => !options.services.some((s) => s.definition === d))) {
    const wrapped: grpc.UntypedServiceImplementation = {};
    for (const [method, methodDefinition] of Object.entries(definition))
      answerUnserved(wrapped, method, methodDefinition);
    server.addService(definition, wrapped);
  }
  const injector = server.createConnectionInjector(grpc.ServerCredentials.createInsecure());
  const sockets = new Set<net.Socket>();
  const listener = net.createServer((socket) => {
    if (options.faults.isRefusingConnections()) {
      socket.resetAndDestroy();
      return;
    }
    // Without this, Nagle's algorithm and delayed ACKs add ~40 ms to each small response.
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    injector.injectConnection(socket);
  });
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(options.port, options.hostname, () => {
      listener.off('error', reject);
      resolve();
    });
  });
  const address = listener.address() as net.AddressInfo;
  return {
    port: address.port,
    unservedCalls: unserved,
    resetConnections: () => {
      for (const socket of sockets) socket.resetAndDestroy();
    },
    stop: async () => {
      const closed = new Promise<void>((resolve) => listener.close(() => resolve()));
      server.forceShutdown();
      injector.destroy();
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
