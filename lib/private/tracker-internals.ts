import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { ConcurrencyTracker } from '../concurrency-tracker';
import { TrackerSettings } from './tracker-settings';
import { TrackerApi } from './tracker-api';
import { TrackerFunctionDefaults } from './tracker-function';

/**
 * What a construct of this package needs from a tracker but a user must not depend on (the
 * resolved settings, the API construct, the admission hook). Kept beside the tracker rather than as
 * public or `@internal` members, so that it is neither in the jsii assembly nor in the typings.
 */
export interface TrackerInternals {
  readonly settings: TrackerSettings;
  readonly trackerApi: TrackerApi;
  readonly admissionHook?: lambda.IFunction;
  readonly functionDefaults: TrackerFunctionDefaults;
}

const internals = new WeakMap<ConcurrencyTracker, TrackerInternals>();

export function registerTrackerInternals(tracker: ConcurrencyTracker, value: TrackerInternals): void {
  internals.set(tracker, value);
}

export function trackerInternals(tracker: ConcurrencyTracker): TrackerInternals {
  const value = internals.get(tracker);
  if (!value) throw new Error(`${tracker.node.path} is not fully constructed yet`);
  return value;
}
