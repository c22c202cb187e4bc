import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ConcurrencyTracker, ConcurrencyTrackerProps } from '../../../lib';
import recommendedFlags = require('aws-cdk-lib/recommended-feature-flags.json');

/** An App with the feature flags `cdk init` writes, i.e. what a new consumer synthesizes with. */
export function newApp(): App {
  return new App({ context: { ...recommendedFlags } });
}

/** A stack in a fixed environment-agnostic App. */
export function newStack(app: App = newApp(), id = 'TestStack'): Stack {
  return new Stack(app, id);
}

/** A stack holding one tracker with the given props, and its template. */
export function synthTracker(
  props: ConcurrencyTrackerProps = {},
  setup?: (stack: Stack) => ConcurrencyTrackerProps,
): { stack: Stack; tracker: ConcurrencyTracker; template: Template } {
  const stack = newStack();
  const extra = setup ? setup(stack) : {};
  const tracker = new ConcurrencyTracker(stack, 'Tracker', { ...props, ...extra });
  return { stack, tracker, template: Template.fromStack(stack) };
}
