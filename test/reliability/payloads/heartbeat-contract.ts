import { z } from 'zod';
import { HEARTBEAT_MAX_BYTES } from '../../../contract/heartbeat';

/** Largest heartbeat the contract allows (docs/architecture.md, DESIGN: "≤ 1 KB"). */
export { HEARTBEAT_MAX_BYTES };

/**
 * The most lenient reading of the heartbeat contract: extra fields pass, ids are any non-empty
 * string. The fuzzer only keeps payloads this rejects, so whatever stricter schema the subscriber
 * uses must reject them too, and a payload the subscriber accepts is a real defect, not a matter
 * of interpretation.
 */
const lenientHeartbeat = z.looseObject({
  v: z.literal(1),
  type: z.enum(['heartbeat', 'stop']),
  sessionId: z.string().min(1),
  deviceId: z.string().min(1),
  sessionKey: z.string().min(1),
  contentId: z.string().optional(),
  kind: z.string().optional(),
});

/** Whether `value` (as a topic item carries it: text or bytes) is a heartbeat under the contract. */
export function isContractHeartbeat(value: string | Uint8Array): boolean {
  const bytes = typeof value === 'string' ? new TextEncoder().encode(value) : value;
  if (bytes.byteLength > HEARTBEAT_MAX_BYTES) return false;
  const text = typeof value === 'string' ? value : new TextDecoder('utf-8', { fatal: false }).decode(value);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return false;
  }
  return lenientHeartbeat.safeParse(parsed).success;
}

/** UTF-8 size of a topic value. */
export function byteLength(value: string | Uint8Array): number {
  return typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : value.byteLength;
}
