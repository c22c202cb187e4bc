import * as z from 'zod';
import { MAX_LIMIT } from '../../contract/limits';
import { optionalText, wholeNumberVariable } from '../core/runtime/environment-values';
import { parseRoomPolicies, type RoomPolicies } from './room-policy';
import { describeSettingIssues } from '../core/schema-issues';

/** Vonage's documented maximum client token lifetime (30 days). */
export const MAX_VONAGE_TOKEN_SECONDS = 30 * 24 * 60 * 60;

const wholeNumber = (name: string, fallback: number, min: number, max: number) =>
  wholeNumberVariable(name, fallback, { min, max });

/** The Vonage functions' own environment (docs/architecture.md, "Vonage session monitoring"). */
const vonageEnvironment = z.object({
  VONAGE_APPLICATION_ID: z.string().trim().min(1, 'VONAGE_APPLICATION_ID is required'),
  VONAGE_PRIVATE_KEY_SECRET_ARN: optionalText,
  VONAGE_CALLBACK_SECRET_ARN: optionalText,
  VONAGE_ROOM_POLICIES: optionalText,
  VONAGE_RESERVATION_SECONDS: wholeNumber('VONAGE_RESERVATION_SECONDS', 120, 5, 3600),
  VONAGE_SEAT_SECONDS: wholeNumber('VONAGE_SEAT_SECONDS', 86400, 60, 7 * 86400),
  VONAGE_TOKEN_TTL_SECONDS: wholeNumber('VONAGE_TOKEN_TTL_SECONDS', 3600, 60, MAX_VONAGE_TOKEN_SECONDS),
  VONAGE_ACCOUNT_LIMIT: wholeNumberVariable('VONAGE_ACCOUNT_LIMIT', undefined, { min: 0, max: MAX_LIMIT }),
  VONAGE_VIDEO_HOST: optionalText,
});

export interface VonageConfig {
  readonly applicationId: string;
  readonly privateKeySecretArn?: string;
  readonly callbackSecretArn?: string;
  readonly policies: RoomPolicies;
  /** How long a seat reserved at token time waits for its `connectionCreated`. */
  readonly reservationSeconds: number;
  /** Lease TTL of a connected seat: a safety net for a `connectionDestroyed` that never comes. */
  readonly seatSeconds: number;
  /** Longest client token; shortened to what remains of a timed room. */
  readonly tokenTtlSeconds: number;
  /** Rooms one user may hold seats in at once; 0: no per-account limit. */
  readonly accountLimit: number;
  /** Base URL of the Vonage Video REST API (local runs and tests); unset: Vonage's own. */
  readonly videoHost?: string;
}

/** Parses the Vonage environment; `defaultLimit` (DEFAULT_LIMIT) is the account limit when unset. */
export function parseVonageConfig(env: Record<string, string | undefined>, defaultLimit: number): VonageConfig {
  const result = vonageEnvironment.safeParse(env);
  if (!result.success) {
    throw new Error(`Invalid Vonage configuration: ${describeSettingIssues(result.error).join('; ')}`);
  }
  const e = result.data;
  const accountLimit = e.VONAGE_ACCOUNT_LIMIT ?? defaultLimit;
  return {
    applicationId: e.VONAGE_APPLICATION_ID,
    privateKeySecretArn: e.VONAGE_PRIVATE_KEY_SECRET_ARN,
    callbackSecretArn: e.VONAGE_CALLBACK_SECRET_ARN,
    policies: parseRoomPolicies(e.VONAGE_ROOM_POLICIES),
    reservationSeconds: e.VONAGE_RESERVATION_SECONDS,
    seatSeconds: e.VONAGE_SEAT_SECONDS,
    tokenTtlSeconds: e.VONAGE_TOKEN_TTL_SECONDS,
    accountLimit,
    videoHost: e.VONAGE_VIDEO_HOST,
  };
}
