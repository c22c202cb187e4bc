/** A published value: UTF-8 text or bytes, as Momento's TopicValue. */
export type TopicValue = { readonly text: string } | { readonly binary: Uint8Array };

/** One published item, as retained in a topic's log. */
export interface TopicEntry {
  readonly sequenceNumber: number;
  readonly sequencePage: number;
  readonly value: TopicValue;
  /** The publisher's token id ('' when the publisher's token has none). */
  readonly publisherId: string;
  /** Memo for the gRPC server's encoded item, built once and shared by every subscriber. */
  grpcItem?: unknown;
}

/** A gap the subscriber is told about: the items after `lastSequence` up to `newSequence` are gone. */
export interface Discontinuity {
  readonly lastSequence: number;
  readonly newSequence: number;
  readonly newSequencePage: number;
}

/** What a subscription receives. */
export interface TopicListener {
  item(entry: TopicEntry): void;
}

/** Where a new subscription starts: an optional gap notice, then items to replay, then live ones. */
export interface ResumePlan {
  readonly discontinuity?: Discontinuity;
  readonly replay: readonly TopicEntry[];
}

/**
 * One topic: its sequence numbers, its page, a bounded log of recent items for resuming
 * subscribers, and the listeners of its open subscriptions.
 */
export class Topic {
  readonly sequencePage: number;
  readonly listeners = new Set<TopicListener>();
  private readonly log: TopicEntry[] = [];
  private lastSequence = 0;

  constructor(
    private readonly retained: number,
    sequencePage: number,
  ) {
    this.sequencePage = sequencePage;
  }

  /** The sequence number of the newest item (0 before the first). */
  get latestSequenceNumber(): number {
    return this.lastSequence;
  }

  /** Appends an item, numbering it, and hands it to every listener. */
  publish(value: TopicValue, publisherId: string): TopicEntry {
    // Assumption: the first item of a topic is number 1, and each next one is one more, per topic.
    this.lastSequence += 1;
    const entry: TopicEntry = {
      sequenceNumber: this.lastSequence,
      sequencePage: this.sequencePage,
      value,
      publisherId,
    };
    this.log.push(entry);
    if (this.log.length > this.retained) this.log.shift();
    for (const listener of this.listeners) listener.item(entry);
    return entry;
  }

  /**
   * What a subscriber asking to resume at `resumeAt` (0: from now on) on `page` gets before live
   * items. Momento documents the behaviour only loosely, so the rules are the emulator's:
   * - 0: nothing replayed;
   * - another page (a topic that was recreated): a discontinuity to the current page, no replay;
   * - a point still in the log: every retained item from it on;
   * - a point older than the log: a discontinuity to the oldest retained item, then the log;
   * - a point past the newest item: a discontinuity to the newest.
   */
  planResume(resumeAt: number, page: number): ResumePlan {
    if (resumeAt <= 0) return { replay: [] };
    // Assumption: page 0 means "I do not know the page" (Momento's HTTP docs say to send 0 first).
    if (page !== 0 && page !== this.sequencePage) {
      return { discontinuity: this.gap(resumeAt - 1, this.lastSequence + 1), replay: [] };
    }
    if (resumeAt > this.lastSequence + 1)
      return { discontinuity: this.gap(resumeAt - 1, this.lastSequence + 1), replay: [] };
    const oldest = this.log[0]?.sequenceNumber ?? this.lastSequence + 1;
    if (resumeAt >= oldest) return { replay: this.log.slice(resumeAt - oldest) };
    return { discontinuity: this.gap(resumeAt - 1, oldest), replay: this.log.slice() };
  }

  /**
   * Assumption: `new_topic_sequence` is the number of the next item the subscriber will get, as in
   * the example of Momento's HTTP API reference (a discontinuity to 104 followed by item 104).
   */
  private gap(lastSequence: number, nextSequence: number): Discontinuity {
    return { lastSequence, newSequence: nextSequence, newSequencePage: this.sequencePage };
  }
}
