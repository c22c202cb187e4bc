// Node entry of the device client: the browser-safe API plus a transport on @gomomento/sdk.
export * from './index';
export { createSdkTopicTransport } from './sdk-topic-transport';
export type { SdkTopicTransportOptions } from './sdk-topic-transport';
