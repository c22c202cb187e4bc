import type {
  ServerUnaryCall,
  ServerWritableStream,
  ServiceError,
  UntypedServiceImplementation,
  sendUnaryData,
} from '@grpc/grpc-js';
import { status } from '@grpc/grpc-js';
import { pubsub } from '@gomomento/generated-types';
import { common } from '@gomomento/generated-types/dist/common';
import type { TokenGuard } from '../auth/token-guard';
import { isStatusError, statusError } from '../status-error';
import type { StatsCounter } from '../stats';
import type { TopicEntry, TopicValue } from './topic';
import type { TopicHub } from './topic-hub';

const pb = pubsub.cache_client.pubsub;
type PublishCall = ServerUnaryCall<InstanceType<typeof pb._PublishRequest>, common._Empty>;
type SubscribeCall = ServerWritableStream<
  InstanceType<typeof pb._SubscriptionRequest>,
  InstanceType<typeof pb._SubscriptionItem>
>;

const asServiceError = (error: unknown): ServiceError =>
  isStatusError(error) ? error : statusError(status.INTERNAL, `emulator error: ${String(error)}`);

const HEARTBEAT = new pb._SubscriptionItem({ heartbeat: new pb._Heartbeat() });

function encodeItem(entry: TopicEntry): InstanceType<typeof pb._SubscriptionItem> {
  if (entry.grpcItem === undefined) {
    const value =
      'text' in entry.value
        ? new pb._TopicValue({ text: entry.value.text })
        : new pb._TopicValue({ binary: entry.value.binary });
    entry.grpcItem = new pb._SubscriptionItem({
      item: new pb._TopicItem({
        topic_sequence_number: entry.sequenceNumber,
        sequence_page: entry.sequencePage,
        value,
        publisher_id: entry.publisherId,
      }),
    });
  }
  return entry.grpcItem as InstanceType<typeof pb._SubscriptionItem>;
}

/** Momento's `Pubsub` gRPC service (publish and subscribe) over the shared topic hub. */
export function createPubsubService(
  hub: TopicHub,
  guard: TokenGuard,
  stats: StatsCounter,
): UntypedServiceImplementation {
  return {
    Publish(call: PublishCall, callback: sendUnaryData<common._Empty>): void {
      try {
        const request = call.request;
        const caller = guard.authorizeTopic(call.metadata, request.cache_name, request.topic, 'publish');
        const kind = request.has_value ? request.value.kind : 'none';
        if (kind === 'none') throw statusError(status.INVALID_ARGUMENT, 'a topic value must be text or binary');
        const value: TopicValue = kind === 'text' ? { text: request.value.text } : { binary: request.value.binary };
        hub.publish(request.cache_name, request.topic, value, caller.tokenId ?? '');
        callback(null, new common._Empty());
      } catch (error) {
        callback(asServiceError(error));
      }
    },

    Subscribe(call: SubscribeCall): void {
      const request = call.request;
      let ended = false;
      try {
        guard.authorizeTopic(call.metadata, request.cache_name, request.topic, 'subscribe');
        const subscription = hub.subscribe(
          request.cache_name,
          request.topic,
          request.resume_at_topic_sequence_number,
          request.sequence_page,
          {
            item: (entry) => {
              if (ended) return;
              stats.itemsDelivered += 1;
              call.write(encodeItem(entry));
            },
            discontinuity: (gap) =>
              !ended &&
              call.write(
                new pb._SubscriptionItem({
                  discontinuity: new pb._Discontinuity({
                    last_topic_sequence: gap.lastSequence,
                    new_topic_sequence: gap.newSequence,
                    new_sequence_page: gap.newSequencePage,
                  }),
                }),
              ),
            heartbeat: () => !ended && call.write(HEARTBEAT),
            fail: (error) => {
              if (ended) return;
              ended = true;
              call.emit('error', error);
            },
          },
        );
        const close = () => {
          ended = true;
          subscription.close();
        };
        call.on('cancelled', close);
        call.on('close', close);
        call.on('error', () => subscription.close());
      } catch (error) {
        ended = true;
        call.emit('error', asServiceError(error));
      }
    },
  };
}
