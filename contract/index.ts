/**
 * The contract the construct (`lib/`), the runtime (`lambda/`) and the device client (`client/`)
 * share: names, patterns, limits, defaults and the shape of the grant, each written once. It
 * imports nothing (no zod, no Node.js), so all three can import it; the schemas that check
 * messages are built from it on each side (`lambda/core/messages/` with zod, `client/contracts.ts`
 * with zod/mini).
 */
export * from './environment';
export * from './heartbeat';
export * from './identifiers';
export * from './lifecycle-events';
export * from './limits';
export * from './metric-names';
export * from './settings';
export * from './token-grant';
