import { Duration } from 'aws-cdk-lib';
import type { VonageSessionMonitoringOptions } from '../vonage-session-monitoring';
import { MAX_LIMIT } from '../../contract/limits';
import { isKnown, PropProblems } from './prop-validation';

/** One entry of the room list in `VONAGE_ROOM_POLICIES` (the runtime's schema, `lambda/vonage/room-policy.ts`). */
export interface VonageRoomRuleJson {
  readonly match: string;
  readonly type: string;
}

/** The JSON of `VONAGE_ROOM_POLICIES`. */
export interface VonageRoomPoliciesJson {
  readonly types: Record<string, Record<string, unknown>>;
  readonly rooms: VonageRoomRuleJson[];
  readonly defaultType: string;
}

function secondsOf(d: Duration | undefined): number | undefined {
  return d === undefined || d.isUnresolved() ? undefined : d.toSeconds({ integral: false });
}

/**
 * Records every hard problem of the Vonage options and returns the runtime's room-policy document
 * (meaningful only when no problem was recorded).
 */
export function checkVonageProps(props: VonageSessionMonitoringOptions, p: PropProblems): VonageRoomPoliciesJson {
  if (isKnown(props.applicationId) && props.applicationId.trim() === '') {
    p.add('vonage.applicationId is empty: pass the id of the Vonage application that owns the sessions.');
  }
  const roomTypes = props.roomTypes ?? { 'one-to-one': { capacity: 2 } };
  const names = Object.keys(roomTypes);
  if (names.length === 0) p.add('vonage.roomTypes is empty: define at least one room type.');
  const defaultType = props.defaultRoomType ?? names[0] ?? '';
  const types: Record<string, Record<string, unknown>> = {};
  for (const [name, policy] of Object.entries(roomTypes)) {
    const capacity = policy.capacity;
    if (isKnown(capacity) && (!Number.isInteger(capacity) || capacity < 1 || capacity > MAX_LIMIT)) {
      p.add(`vonage.roomTypes["${name}"].capacity must be a whole number from 1 to ${MAX_LIMIT}, got ${capacity}.`);
    }
    const duration = secondsOf(policy.duration);
    if (duration !== undefined && duration < 60) {
      p.add(`vonage.roomTypes["${name}"].duration must be at least one minute (the check runs every minute).`);
    }
    const startsWhen = policy.durationStartsWhen ?? 1;
    if (isKnown(startsWhen) && (!Number.isInteger(startsWhen) || startsWhen < 1 || startsWhen > capacity)) {
      p.add(
        `vonage.roomTypes["${name}"].durationStartsWhen must be from 1 to its capacity (${capacity}), got ${startsWhen}.`,
      );
    }
    types[name] = {
      capacity,
      durationSeconds: policy.duration ? policy.duration.toSeconds() : 0,
      durationStartsWhen: startsWhen,
      admission: policy.ticketsRequired ? 'tickets' : 'open',
      ...(policy.defaultRole ? { defaultRole: policy.defaultRole } : {}),
      ...(policy.publish ? { publish: policy.publish } : {}),
    };
  }
  const rooms = (props.rooms ?? []).map((room) => ({ match: room.pattern, type: room.roomType }));
  for (const type of new Set([defaultType, ...rooms.map((room) => room.type)])) {
    if (names.length > 0 && !types[type]) {
      p.add(`vonage room type "${type}" is not defined in vonage.roomTypes (${names.join(', ')}).`);
    }
  }
  const limit = props.accountLimit;
  if (isKnown(limit) && (!Number.isInteger(limit) || limit < 0 || limit > MAX_LIMIT)) {
    p.add(`vonage.accountLimit must be a whole number from 0 to ${MAX_LIMIT}, got ${limit}.`);
  }
  const tokenSeconds = secondsOf(props.tokenLifetime);
  if (tokenSeconds !== undefined && (tokenSeconds < 60 || tokenSeconds > 30 * 24 * 3600)) {
    p.add("vonage.tokenLifetime must be from one minute to 30 days (Vonage's maximum).");
  }
  const reservationSeconds = secondsOf(props.reservationTimeout);
  if (reservationSeconds !== undefined && (reservationSeconds < 5 || reservationSeconds > 3600)) {
    p.add('vonage.reservationTimeout must be from 5 seconds to one hour.');
  }
  return { types, rooms, defaultType };
}
