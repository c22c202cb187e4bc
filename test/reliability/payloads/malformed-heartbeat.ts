import fc from 'fast-check';
import { byteLength, isContractHeartbeat, HEARTBEAT_MAX_BYTES } from './heartbeat-contract';

/** Largest payload the fuzzer publishes: under Momento's 4 KB message limit, so it reaches the subscriber. */
export const MAX_PUBLISHED_BYTES = 4000;

/** The kinds of defect the fuzzer produces, each reported separately in the figures. */
export const DEFECTS = [
  'invalid-json',
  'not-an-object',
  'wrong-version',
  'wrong-type-field',
  'missing-field',
  'wrong-field-type',
  'oversized',
  'oversized-multibyte',
  'unicode',
  'binary',
] as const;
export type Defect = (typeof DEFECTS)[number];

/** One fuzzed message: what is published to the heartbeat topic, and which defect it has. */
export interface MalformedHeartbeat {
  readonly defect: Defect;
  /** Text items are published as strings, binary ones as bytes, as a device's SDK would. */
  readonly value: string | Uint8Array;
}

/**
 * Ids the payloads aim at. Pointing malformed stops and heartbeats at the sessions of real,
 * well-behaved devices is what makes "their sessions are untouched" a meaningful check.
 */
export interface TargetIds {
  readonly sessionIds: readonly string[];
  readonly deviceIds: readonly string[];
}

type Fields = Record<string, unknown>;

const REQUIRED = ['v', 'type', 'sessionId', 'deviceId', 'sessionKey'] as const;

function parsesAsJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Values of every JSON kind except string: what a field that must be a string must never accept. */
const nonString: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }),
);

function idArb(pool: readonly string[]): fc.Arbitrary<string> {
  return pool.length > 0 ? fc.oneof(fc.constantFrom(...pool), fc.uuid()) : fc.uuid();
}

/** A heartbeat the contract accepts: the base every structural defect starts from. */
function wellFormed(targets: TargetIds): fc.Arbitrary<Fields> {
  return fc.record(
    {
      v: fc.constant(1),
      type: fc.constantFrom('heartbeat', 'stop'),
      sessionId: idArb(targets.sessionIds),
      deviceId: idArb(targets.deviceIds),
      // Well-formed, not valid: a key that proves a session must come from its grant.
      sessionKey: fc.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      contentId: fc.string({ minLength: 1, maxLength: 24 }),
      kind: fc.constantFrom('video', 'audio', 'screen'),
    },
    { requiredKeys: ['v', 'type', 'sessionId', 'deviceId', 'sessionKey'] },
  );
}

const text =
  (defect: Defect) =>
  (value: string): MalformedHeartbeat => ({ defect, value });
const json =
  (defect: Defect) =>
  (fields: unknown): MalformedHeartbeat => ({ defect, value: JSON.stringify(fields) });

function invalidJson(targets: TargetIds): fc.Arbitrary<MalformedHeartbeat> {
  const truncated = wellFormed(targets)
    .map((f) => JSON.stringify(f))
    .chain((s) => fc.integer({ min: 0, max: s.length - 1 }).map((cut) => s.slice(0, cut)));
  const garbage = fc.string({ unit: 'binary', maxLength: 300 }).filter((s) => !parsesAsJson(s));
  const nearMisses = fc.constantFrom(
    "{'v':1,'type':'heartbeat','sessionId':'s','deviceId':'d'}",
    '{"v":1,"type":"heartbeat","sessionId":"s","deviceId":"d",}',
    '{"v":NaN,"type":"heartbeat","sessionId":"s","deviceId":"d"}',
    '{"v":1,"type":"heartbeat",/* c */"sessionId":"s","deviceId":"d"}',
    '{v:1,type:"heartbeat",sessionId:"s",deviceId:"d"}',
    '{"v":1 "type":"heartbeat"}',
    `${'['.repeat(3000)}`,
    `${'{"a":'.repeat(600)}`,
    'undefined',
    '',
  );
  return fc.oneof(truncated, garbage, nearMisses).map(text('invalid-json'));
}

function notAnObject(): fc.Arbitrary<MalformedHeartbeat> {
  const deepArray = fc.integer({ min: 1, max: 1500 }).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`);
  const scalarOrArray = fc
    .jsonValue({ maxDepth: 3 })
    .filter((v) => v === null || typeof v !== 'object' || Array.isArray(v))
    .map((v) => JSON.stringify(v));
  return fc.oneof(scalarOrArray, deepArray).map(text('not-an-object'));
}

function wrongVersion(targets: TargetIds): fc.Arbitrary<MalformedHeartbeat> {
  const badVersion = fc.oneof(
    fc.integer().filter((n) => n !== 1),
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => n !== 1),
    fc.constantFrom('1', 'v1', '1.0', ' 1', 2, 0, -1, true, null, [1], { v: 1 }),
  );
  const replaced = fc.tuple(wellFormed(targets), badVersion).map(([f, v]) => ({ ...f, v }));
  const missing = wellFormed(targets).map(({ v: _v, ...rest }) => rest);
  return fc.oneof(replaced, missing).map(json('wrong-version'));
}

function wrongTypeField(targets: TargetIds): fc.Arbitrary<MalformedHeartbeat> {
  const badType = fc.oneof(
    fc.string({ maxLength: 20 }).filter((s) => s !== 'heartbeat' && s !== 'stop'),
    fc.constantFrom('Heartbeat', 'STOP', ' heartbeat', 'heartbeat ', 'heartbeat\u0000', 'start', 'evicted', 'expired'),
    nonString,
  );
  return fc.tuple(wellFormed(targets), badType).map(([f, type]) => json('wrong-type-field')({ ...f, type }));
}

function missingField(targets: TargetIds): fc.Arbitrary<MalformedHeartbeat> {
  const dropped = fc
    .tuple(wellFormed(targets), fc.subarray([...REQUIRED], { minLength: 1 }))
    .map(([f, drop]) => Object.fromEntries(Object.entries(f).filter(([k]) => !(drop as string[]).includes(k))));
  // Hostile keys that smuggle the fields one level down, where a careless merge would find them.
  const smuggled = wellFormed(targets).chain((f) =>
    fc.constantFrom(
      `{"__proto__":${JSON.stringify(f)}}`,
      `{"constructor":{"prototype":${JSON.stringify(f)}}}`,
      `{"heartbeat":${JSON.stringify(f)}}`,
      `{"data":${JSON.stringify(f)}}`,
    ),
  );
  return fc.oneof(dropped.map(json('missing-field')), smuggled.map(text('missing-field')));
}

function wrongFieldType(targets: TargetIds): fc.Arbitrary<MalformedHeartbeat> {
  return (
    fc
      .tuple(wellFormed(targets), fc.constantFrom('sessionId', 'deviceId', 'contentId', 'kind'), nonString)
      // null is left out for the optional fields: a schema may reasonably read it as "absent".
      .filter(([, field, value]) => value !== null || field === 'sessionId' || field === 'deviceId')
      .map(([f, field, value]) => json('wrong-field-type')({ ...f, [field]: value }))
  );
}

function oversized(targets: TargetIds): fc.Arbitrary<MalformedHeartbeat> {
  // Every field is legitimate; only the size breaks the contract.
  return fc
    .tuple(
      wellFormed(targets),
      fc.integer({ min: HEARTBEAT_MAX_BYTES + 1, max: MAX_PUBLISHED_BYTES - 200 }),
      fc.constantFrom('contentId', 'deviceId', 'kind'),
    )
    .map(([f, size, field]) => json('oversized')({ ...f, [field]: 'x'.repeat(size) }));
}

function oversizedMultibyte(targets: TargetIds): fc.Arbitrary<MalformedHeartbeat> {
  // Over 1 KB in UTF-8 yet under 1,024 UTF-16 code units: a size check on `string.length` lets it in.
  return fc
    .tuple(wellFormed(targets), fc.integer({ min: 300, max: 900 }), fc.constantFrom('é', '€', '😀', '漢'))
    .map(([f, count, ch]) => {
      const base = JSON.stringify({ ...f, contentId: '' });
      const room = Math.max(1, Math.floor((1000 - base.length) / ch.length));
      return { ...f, contentId: ch.repeat(Math.max(1, Math.min(count, room))) };
    })
    .filter((f) => Buffer.byteLength(JSON.stringify(f), 'utf8') > HEARTBEAT_MAX_BYTES)
    .map(json('oversized-multibyte'));
}

function unicode(targets: TargetIds): fc.Arbitrary<MalformedHeartbeat> {
  const withF = <T>(arb: fc.Arbitrary<T>) => fc.tuple(wellFormed(targets), arb);
  const homoglyphKey = withF(
    fc.constantFrom<[string, string]>(
      ['sessionId', 'sess\u0456onId'], // Cyrillic і
      ['deviceId', 'dev\u0456ceId'],
      ['type', '\u0442ype'], // Cyrillic т
      ['v', '\uff56'], // fullwidth v
      ['sessionId', 'sessionId\u200b'], // zero-width space
      ['deviceId', 'deviceI\u0064\u0307'], // combining dot
    ),
  ).map(([f, [from, to]]) => {
    const out: Fields = {};
    for (const [k, v] of Object.entries(f)) out[k === from ? to : k] = v;
    return JSON.stringify(out);
  });
  const homoglyphType = withF(
    fc.constantFrom('h\u0435artbeat', '\u0455top', 'ＨＥＡＲＴＢＥＡＴ', 'heart\u00adbeat', 'stop\u202e'),
  ).map(([f, type]) => JSON.stringify({ ...f, type }));
  const bom = wellFormed(targets).map((f) => `\ufeff${JSON.stringify(f)}`);
  const loneSurrogate = withF(fc.constantFrom('\ud800', '\udfff', '\ud83d')).map(([f, s]) =>
    JSON.stringify({ ...f, type: `heartbeat${s}` }),
  );
  const fullUnicode = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 120 }).filter((s) => !parsesAsJson(s));
  return fc.oneof(homoglyphKey, homoglyphType, bom, loneSurrogate, fullUnicode).map(text('unicode'));
}

function binary(targets: TargetIds): fc.Arbitrary<MalformedHeartbeat> {
  const random = fc.uint8Array({ minLength: 1, maxLength: 2048 });
  const magic = fc.constantFrom(
    Uint8Array.from([0x1f, 0x8b, 0x08, 0x00]), // gzip
    Uint8Array.from([0x89, 0x50, 0x4e, 0x47]), // png
    Uint8Array.from([0x08, 0x01, 0x12, 0x03, 0x61, 0x62, 0x63]), // protobuf-looking
    Uint8Array.from([0xff, 0xfe, 0x7b, 0x00]), // UTF-16 LE "{"
    Uint8Array.from([0xc0, 0x80]), // overlong NUL
  );
  // A heartbeat with invalid UTF-8 spliced in: a lenient decoder would read it as a replacement character.
  const spliced = wellFormed(targets).map((f) => {
    const good = Buffer.from(JSON.stringify(f), 'utf8');
    return Buffer.concat([good.subarray(0, 5), Buffer.from([0xff, 0xfe]), good.subarray(5)]);
  });
  return fc
    .oneof(
      random,
      magic,
      spliced.map((b) => new Uint8Array(b)),
    )
    .map((value): MalformedHeartbeat => ({ defect: 'binary', value }));
}

/** Every kind of malformed heartbeat, equally weighted, each guaranteed outside the contract. */
export function malformedHeartbeat(
  targets: TargetIds = { sessionIds: [], deviceIds: [] },
): fc.Arbitrary<MalformedHeartbeat> {
  return fc
    .oneof(
      invalidJson(targets),
      notAnObject(),
      wrongVersion(targets),
      wrongTypeField(targets),
      missingField(targets),
      wrongFieldType(targets),
      oversized(targets),
      oversizedMultibyte(targets),
      unicode(targets),
      binary(targets),
    )
    .filter((m) => byteLength(m.value) <= MAX_PUBLISHED_BYTES && !isContractHeartbeat(m.value));
}

/** A reproducible batch of `count` payloads (same seed, same batch), for bulk runs through the emulator. */
export function malformedBatch(count: number, seed: number, targets?: TargetIds): MalformedHeartbeat[] {
  return fc.sample(malformedHeartbeat(targets), { numRuns: count, seed });
}
