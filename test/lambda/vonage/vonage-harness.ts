import { generateKeyPairSync, randomUUID } from 'node:crypto';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { SignJWT } from 'jose';
import { parseRuntimeConfig } from '../../../lambda/core/runtime/config';
import { RecordingEventSink } from '../core/support/recording-event-sink';
import { CountingMetrics } from '../core/support/counting-metrics';
import type { MomentoPorts } from '../../../lambda/core/ports/momento-ports';
import { createMomentoPorts } from '../../../lambda/core/adapters/momento-clients';
import { silentLogger } from '../../../lambda/core/ports/observability';
import { payloadHash } from '../../../lambda/vonage/callback-signature';
import { policyForRoom } from '../../../lambda/vonage/room-policy';
import { handleRoomTokenRequest } from '../../../lambda/vonage/room-token-request';
import { RoomSeats } from '../../../lambda/vonage/room-seats';
import { handleSessionMonitoringRequest } from '../../../lambda/vonage/session-monitoring-request';
import { parseVonageConfig } from '../../../lambda/vonage/vonage-config';
import type { VonageDependencies, VonageMetricName } from '../../../lambda/vonage/vonage-dependencies';
import { vonageVideoEnforcement } from '../../../lambda/vonage/vonage-enforcement';
import { vonageKeys } from '../../../lambda/vonage/vonage-keys';
import { startEmulator, type Emulator } from '../../../local/emulator';
import { VonageStandIn } from './vonage-stand-in';

export const CALLBACK_SECRET = 'session-monitoring-signature-secret-for-tests';
export const APPLICATION_ID = 'c1a2b3c4-0000-4000-8000-00000000feed';
export const CACHE_NAME = 'tracker';

/** Lessons are one-to-one, an hour long from the second participant, ticket holders only; teachers may share their screen. */
export const TEST_POLICIES = {
  types: {
    'one-to-one': {
      capacity: 2,
      durationSeconds: 3600,
      durationStartsWhen: 2,
      admission: 'tickets',
      defaultRole: 'student',
      publish: { teacher: ['camera', 'screen', 'audio'], student: ['camera', 'audio'] },
    },
    open: { capacity: 5 },
  },
  rooms: [{ match: 'lesson-*', type: 'one-to-one' }],
  defaultType: 'open',
};

/** A key pair like a Vonage application's (RSA 2048, PEM): the private key signs the calls to Vonage. */
export function applicationKeyPair(): { privateKey: string; publicKey: string } {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
}

type Answer = { status: number; body: Record<string, unknown> };

/** A user who was vended a token, and the connection Vonage would announce for it. */
export interface Participant {
  readonly sessionId: string;
  /** The token data Vonage echoes as `connection.data`. */
  readonly data: string;
  readonly connectionId: string;
  /** The token route's answer. */
  readonly response: Answer;
}

/**
 * The emulator for Momento, the stand-in for Vonage's REST API, and a way to build the Vonage
 * dependencies over them as a fresh cold start would (new clients, nothing carried over).
 */
export class VonageHarness {
  emulator!: Emulator;
  readonly vonage = new VonageStandIn();
  readonly events = new RecordingEventSink();
  readonly metrics = new CountingMetrics<VonageMetricName>();
  readonly privateKey = applicationKeyPair().privateKey;
  /** The clock the handlers see (epoch ms); tests move it to pass a room's duration. */
  clock = Date.now();
  private ports: MomentoPorts[] = [];
  private rooms = 0;
  deps!: VonageDependencies;

  async start(env: Record<string, string> = {}): Promise<void> {
    this.emulator = await startEmulator({ port: 0, caches: [CACHE_NAME] });
    await this.vonage.start();
    this.deps = this.coldStart(env);
  }

  async stop(): Promise<void> {
    for (const ports of this.ports) ports.close();
    await this.vonage.stop();
    await this.emulator.stop();
  }

  /** A new dependencies object over new clients: what a new Lambda instance would build. */
  coldStart(env: Record<string, string> = {}): VonageDependencies {
    const runtime = parseRuntimeConfig({
      CACHE_NAME,
      MOMENTO_LOCAL_ENDPOINT: this.emulator.address,
      ACCOUNT_SOURCE: 'iam',
    });
    const config = parseVonageConfig(
      {
        VONAGE_APPLICATION_ID: APPLICATION_ID,
        VONAGE_ROOM_POLICIES: JSON.stringify(TEST_POLICIES),
        VONAGE_ACCOUNT_LIMIT: '0',
        ...env,
      },
      runtime.defaultLimit,
    );
    const ports = createMomentoPorts(runtime);
    this.ports.push(ports);
    return {
      config,
      account: { source: runtime.accountSource, claim: runtime.accountClaim },
      callbackSecret: CALLBACK_SECRET,
      cache: ports.cache,
      seats: new RoomSeats(ports.cache, config.reservationSeconds, config.seatSeconds),
      vonage: vonageVideoEnforcement({
        applicationId: APPLICATION_ID,
        privateKey: this.privateKey,
        videoHost: this.vonage.url,
      }),
      events: this.events,
      metrics: this.metrics,
      logger: silentLogger,
      now: () => this.clock,
      newId: () => randomUUID(),
    };
  }

  /** `POST /vonage/tokens` as a trusted backend (IAM) asking for `userId`. */
  async requestToken(userId: string, roomId: string): Promise<Answer> {
    const result = await handleRoomTokenRequest(
      { body: JSON.stringify({ roomId, accountId: userId }), isBase64Encoded: false, requestContext: {} as never },
      this.deps,
    );
    return parse(result);
  }

  /** Posts a callback signed the way Vonage signs it (HS256 JWT with the body's payload_hash). */
  async callback(
    payload: unknown,
    signing: { secret?: string; header?: string | null; hashOf?: string } = {},
  ): Promise<Answer> {
    const body = JSON.stringify(payload);
    const authorization =
      signing.header !== undefined
        ? (signing.header ?? undefined)
        : `Bearer ${await this.sign(body, { secret: signing.secret, hashOf: signing.hashOf })}`;
    return this.send(body, authorization);
  }

  /**
   * The JWT Vonage puts in a callback's Authorization header: HS256 over `iat`, `jti`,
   * `application_id` and the body's `payload_hash` (each claim can be left out or changed to
   * forge a bad one; `exp` is not part of Vonage's scheme and is added only when asked).
   */
  async sign(
    body: string,
    claims: {
      secret?: string;
      hashOf?: string;
      payloadHash?: string | null;
      iat?: number | null;
      jti?: string | null;
      applicationId?: string | null;
      exp?: number;
    } = {},
  ): Promise<string> {
    const payload: Record<string, unknown> = {};
    if (claims.payloadHash !== null) payload.payload_hash = claims.payloadHash ?? payloadHash(claims.hashOf ?? body);
    if (claims.applicationId !== null) payload.application_id = claims.applicationId ?? APPLICATION_ID;
    if (claims.jti !== null) payload.jti = claims.jti ?? randomUUID();
    if (claims.iat !== null) payload.iat = claims.iat ?? Math.floor(this.clock / 1000);
    if (claims.exp !== undefined) payload.exp = claims.exp;
    return new SignJWT(payload)
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .sign(new TextEncoder().encode(claims.secret ?? CALLBACK_SECRET));
  }

  /** Posts a callback body exactly as given, with this Authorization header (a captured request replayed). */
  async send(body: string, authorization: string | undefined): Promise<Answer> {
    const result = await handleSessionMonitoringRequest(
      { body, isBase64Encoded: false, headers: authorization === undefined ? {} : { Authorization: authorization } },
      this.deps,
    );
    return parse(result);
  }

  /** How many items the cache holds (to assert a refused callback wrote nothing). */
  cacheSize(): number {
    return this.emulator.store.cache(CACHE_NAME).size;
  }

  /** A room id not used before by this harness: `<prefix>-<n>`. */
  newRoomId(prefix: string): string {
    this.rooms += 1;
    return `${prefix}-${this.rooms}`;
  }

  /** A fresh room with a ticket for each user, holding the role given (`{ alice: 'teacher' }`). */
  async ticketedRoom(prefix: string, tickets: Record<string, string>): Promise<string> {
    const roomId = this.newRoomId(prefix);
    for (const [userId, role] of Object.entries(tickets))
      await this.deps.cache.set(vonageKeys.ticket(roomId, userId), role, 3600);
    return roomId;
  }

  /** Vends a token (which must be granted) and reports the connection Vonage would announce for it. */
  async join(userId: string, roomId: string): Promise<Participant> {
    const response = await this.requestToken(userId, roomId);
    expect(response.status).toBe(200);
    const sessionId = response.body.sessionId as string;
    const data = tokenDataOf(response.body.token as string);
    return { sessionId, data, connectionId: callbacks.connectionId(), response };
  }

  /** Posts the signed connectionCreated callback for the participant's connection. */
  connectionCreated(participant: Participant, timestamp = this.clock): Promise<Answer> {
    return this.callback(
      callbacks.connectionCreated(participant.sessionId, participant.connectionId, participant.data, timestamp),
    );
  }

  /** Posts the signed connectionDestroyed callback for the participant's connection. */
  connectionDestroyed(participant: Participant, timestamp = this.clock): Promise<Answer> {
    return this.callback(
      callbacks.connectionDestroyed(participant.sessionId, participant.connectionId, participant.data, timestamp),
    );
  }

  /** The connection ids seated in a room, sorted. */
  async seatedConnections(roomId: string): Promise<string[]> {
    const policy = policyForRoom(this.deps.config.policies, roomId);
    const occupants = await this.deps.seats.occupants(this.deps.seats.roomScope(roomId), policy.capacity);
    return occupants.connections.map((c) => c.connectionId).sort();
  }
}

/**
 * A harness for one test file: started before its tests, stopped after them, and before each test
 * the stand-in's record and failure mode cleared and the clock set to now.
 */
export function useVonageHarness(): VonageHarness {
  const harness = new VonageHarness();
  beforeAll(async () => {
    await harness.start();
  });
  afterAll(async () => {
    await harness.stop();
  });
  beforeEach(() => {
    harness.vonage.calls.length = 0;
    harness.vonage.failWith = null;
    harness.clock = Date.now();
  });
  return harness;
}

function parse(result: APIGatewayProxyResult): Answer {
  return { status: result.statusCode, body: JSON.parse(result.body) as Record<string, unknown> };
}

/** A streamCreated callback (a camera or a screen share of one connection). */
function streamCreated(
  sessionId: string,
  streamId: string,
  connectionId: string,
  data: string | undefined,
  videoType: string,
  timestamp: number,
) {
  return {
    sessionId,
    projectId: '123456',
    event: 'streamCreated',
    timestamp,
    stream: {
      id: streamId,
      connection: { id: connectionId, createdAt: timestamp - 1000, ...(data !== undefined ? { data } : {}) },
      createdAt: timestamp,
      name: videoType === 'screen' ? 'Screen' : 'Camera',
      videoType,
    },
  };
}

/** Callback payloads in the shapes of the article and Vonage's session-monitoring reference. */
export const callbacks = {
  connectionCreated(sessionId: string, connectionId: string, data: string | undefined, timestamp: number) {
    return {
      sessionId,
      projectId: '123456',
      event: 'connectionCreated',
      timestamp,
      connection: { id: connectionId, createdAt: timestamp - 100, ...(data !== undefined ? { data } : {}) },
    };
  },
  connectionDestroyed(sessionId: string, connectionId: string, data: string | undefined, timestamp: number) {
    return {
      sessionId,
      projectId: '123456',
      event: 'connectionDestroyed',
      reason: 'clientDisconnected',
      timestamp,
      connection: { id: connectionId, createdAt: timestamp - 60_000, ...(data !== undefined ? { data } : {}) },
    };
  },
  streamCreated,
  streamDestroyed(...event: Parameters<typeof streamCreated>) {
    return { ...streamCreated(...event), event: 'streamDestroyed', reason: 'clientDisconnected' };
  },
  /** A fresh connection id in Vonage's UUID form. */
  connectionId(): string {
    return randomUUID();
  },
};

/** The token data a vended token carries (what Vonage echoes as `connection.data`). */
export function tokenDataOf(token: string): string {
  const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as {
    connection_data?: string;
  };
  if (!claims.connection_data) throw new Error('token has no connection_data');
  return claims.connection_data;
}
