import * as fs from 'node:fs';
import * as path from 'node:path';
import * as generated from '@gomomento/generated-types';
import * as grpc from '@grpc/grpc-js';
import { CacheGetWithHash, ExpiresIn, GenerateApiKey, MomentoErrorCode, PermissionScopes } from '@gomomento/sdk';
import { MOMENTO_SERVICES } from '../../../local/emulator/unserved-calls';
import { authClient, cacheClient, localCredentials, useEmulator } from './support/emulator-session';

const session = useEmulator('unserved');

/** Every gRPC service definition @gomomento/generated-types ships, found by walking its exports. */
function shippedServices(): grpc.ServiceDefinition[] {
  const found = new Set<grpc.ServiceDefinition>();
  const seen = new Set<unknown>();
  const walk = (value: unknown, depth: number): void => {
    if (value === null || (typeof value !== 'object' && typeof value !== 'function') || seen.has(value) || depth > 5)
      return;
    seen.add(value);
    for (const [name, child] of Object.entries(value as Record<string, unknown>)) {
      if (/^Unimplemented\w*Service$/.test(name) && (child as { definition?: grpc.ServiceDefinition }).definition) {
        found.add((child as { definition: grpc.ServiceDefinition }).definition);
      } else walk(child, depth + 1);
    }
  };
  walk(generated, 0);
  return [...found];
}

/** `Service/Method` of every method of the shipped services, e.g. `cache_client.Scs/GetWithHash`. */
const everyCall = (): string[] =>
  shippedServices()
    .flatMap((definition) => Object.values(definition).map((method) => method.path.slice(1)))
    .sort();

/** The calls docs/emulator.md lists under "Calls the emulator does not serve". */
function documentedUnservedCalls(): string[] {
  const doc = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'docs', 'emulator.md'), 'utf8');
  const heading = '## Calls the emulator does not serve';
  const start = doc.indexOf(heading);
  expect(start).toBeGreaterThanOrEqual(0);
  const section = doc.slice(start + heading.length).split(/\n## /)[0];
  return [...section.matchAll(/`([\w.]+)\/(\w+)`/g)].map((m) => `${m[1]}/${m[2]}`).sort();
}

/** Calls one method by its path with an empty request (valid bytes for any protobuf message). */
function callRaw(address: string, call: string, serverStreaming: boolean): Promise<grpc.ServiceError | undefined> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  const identity = (value: Buffer) => value;
  return new Promise<grpc.ServiceError | undefined>((resolve) => {
    if (serverStreaming) {
      const stream = client.makeServerStreamRequest(
        `/${call}`,
        identity,
        identity,
        Buffer.alloc(0),
        new grpc.Metadata(),
      );
      stream.on('data', () => undefined);
      stream.on('error', (error: grpc.ServiceError) => resolve(error));
      stream.on('end', () => resolve(undefined));
    } else {
      client.makeUnaryRequest(`/${call}`, identity, identity, Buffer.alloc(0), new grpc.Metadata(), (error) =>
        resolve(error ?? undefined),
      );
    }
  }).finally(() => client.close());
}

describe('calls the emulator does not serve', () => {
  it('knows every service @gomomento/generated-types ships, and serves the calls the project makes', () => {
    const { emulator } = session;
    // A service added by a newer generated-types would otherwise answer grpc-js's own message.
    expect(
      shippedServices()
        .filter((definition) => !MOMENTO_SERVICES.includes(definition))
        .map((d) => Object.values(d)[0]?.path),
    ).toEqual([]);
    const unserved = new Set(emulator.unservedCalls);
    const served = everyCall().filter((call) => !unserved.has(call));
    // The project's own calls are served.
    for (const call of [
      'cache_client.Scs/SetIf',
      'cache_client.Scs/GetBatch',
      'cache_client.pubsub.Pubsub/Subscribe',
      'token.Token/GenerateDisposableToken',
      'control_client.ScsControl/CreateCache',
    ]) {
      expect(served).toContain(call);
    }
    expect([...unserved].filter((call) => !everyCall().includes(call))).toEqual([]);
    expect(unserved.size).toBeGreaterThan(0);
  });

  it('docs/emulator.md lists exactly the unserved calls', () => {
    expect(documentedUnservedCalls()).toEqual([...session.emulator.unservedCalls].sort());
  });

  it('answers each one UNIMPLEMENTED, saying the local emulator does not serve it and naming it', async () => {
    const { emulator } = session;
    const streaming = new Set(
      shippedServices().flatMap((definition) =>
        Object.values(definition)
          .filter((m) => m.responseStream)
          .map((m) => m.path.slice(1)),
      ),
    );
    for (const call of emulator.unservedCalls) {
      const error = await callRaw(emulator.address, call, streaming.has(call));
      expect([call, error?.code]).toEqual([call, grpc.status.UNIMPLEMENTED]);
      expect(error?.details).toContain(`the local emulator does not serve ${call}`);
    }
  });

  it('reaches an SDK caller as a message that names the emulator, not the caller', async () => {
    const { emulator } = session;
    const cache = await cacheClient(localCredentials(emulator));
    const withHash = await cache.getWithHash('unserved', 'k');
    expect(withHash).toBeInstanceOf(CacheGetWithHash.Error);
    expect((withHash as CacheGetWithHash.Error).errorCode()).toBe(MomentoErrorCode.BAD_REQUEST_ERROR);
    expect((withHash as CacheGetWithHash.Error).message()).toContain(
      'the local emulator does not serve cache_client.Scs/GetWithHash',
    );
    cache.close();
    const apiKey = await authClient(localCredentials(emulator)).generateApiKey(
      PermissionScopes.cacheReadWrite('unserved'),
      ExpiresIn.minutes(5),
    );
    expect(apiKey).toBeInstanceOf(GenerateApiKey.Error);
    expect((apiKey as GenerateApiKey.Error).message()).toContain(
      'the local emulator does not serve auth.Auth/GenerateApiToken',
    );
  });
});
