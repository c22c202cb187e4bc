// video.js entry of the device client (`cdk-concurrency-tracker-client/videojs`): binds a video.js
// player to a session. It imports nothing from video.js (the player is passed in).
export { bindVideoJsPlayer, englishNotice, VIDEOJS_SESSION_CLASSES } from './videojs-session';
export type { SessionNotice, VideoJsBindingOptions, VideoJsPlayer } from './videojs-session';
export type { SessionSnapshot } from './session-snapshot';
