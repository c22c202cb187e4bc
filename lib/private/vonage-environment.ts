import { Duration } from 'aws-cdk-lib';
import type { VonageSessionMonitoringOptions } from '../vonage-session-monitoring';
import { TrackerComponent } from '../tracker-metric-names';
import { runtimeEnvironment } from './runtime-environment';
import { TrackerSettings } from './tracker-settings';
import { VonageRoomPoliciesJson } from './vonage-prop-checks';

/** What the Vonage functions' environment needs besides the tracker's settings and the options. */
export interface VonageEnvironmentInputs {
  readonly eventBusName?: string;
  readonly dataKeySecretArn: string;
  readonly admissionHookArn?: string;
  readonly privateKeySecretArn: string;
  readonly roomPolicies: VonageRoomPoliciesJson;
}

/**
 * The environment shared by the three Vonage functions: the tracker's request-path environment
 * (from the same builder as the entitlement Lambda's), the admission hook, and the Vonage variables.
 * Each function adds its own service name (and the callback its signature secret).
 */
export function vonageEnvironment(
  settings: TrackerSettings,
  options: VonageSessionMonitoringOptions,
  inputs: VonageEnvironmentInputs,
): Record<string, string> {
  const env = runtimeEnvironment(TrackerComponent.ENTITLEMENT, settings, {
    eventBusName: inputs.eventBusName,
    dataKeySecretArn: inputs.dataKeySecretArn,
  });
  if (inputs.admissionHookArn) env.ADMISSION_HOOK_ARN = inputs.admissionHookArn;
  env.VONAGE_APPLICATION_ID = options.applicationId;
  env.VONAGE_PRIVATE_KEY_SECRET_ARN = inputs.privateKeySecretArn;
  env.VONAGE_ROOM_POLICIES = JSON.stringify(inputs.roomPolicies);
  env.VONAGE_TOKEN_TTL_SECONDS = String((options.tokenLifetime ?? Duration.hours(1)).toSeconds());
  env.VONAGE_RESERVATION_SECONDS = String((options.reservationTimeout ?? Duration.minutes(2)).toSeconds());
  if (options.accountLimit !== undefined) env.VONAGE_ACCOUNT_LIMIT = String(options.accountLimit);
  return env;
}
