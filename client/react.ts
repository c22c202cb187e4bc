// React entry of the device client (`cdk-concurrency-tracker-client/react`); react is an optional
// peer dependency, needed only by this entry.
export { useTrackedSession } from './react-session';
export type { TrackedSessionView, UseTrackedSessionOptions } from './react-session';
export type { SessionSnapshot } from './session-snapshot';
