export { startEmulator, type Emulator, type EmulatorOptions } from './emulator';
export { FaultController, FAULT_KINDS, type FaultKind, type Latency } from './faults';
export type { EmulatorStats } from './stats';
export type { Scope, CachePermission, TopicPermission } from './auth/permissions';
export { CacheStore } from './cache';
export { MAX_MESSAGE_BYTES } from './topics/topic-hub';
