/** Counters a benchmark reads to see what the emulator did. */
export interface EmulatorStats {
  /** Calls received per gRPC method name (e.g. `Publish`, `Get`) and per HTTP route. */
  readonly calls: Readonly<Record<string, number>>;
  /** Messages accepted by publish (gRPC and HTTP). */
  readonly messagesPublished: number;
  /** Payload bytes accepted by publish. */
  readonly bytesPublished: number;
  /** Items written to subscribers (gRPC streams and HTTP long polls). */
  readonly itemsDelivered: number;
  /** Subscription streams open now. */
  readonly openSubscriptions: number;
}

/** Mutable counters behind `emulator.stats()`; kept to plain increments so the hot path stays lean. */
export class StatsCounter {
  private readonly calls = new Map<string, number>();
  messagesPublished = 0;
  bytesPublished = 0;
  itemsDelivered = 0;

  countCall(method: string): void {
    this.calls.set(method, (this.calls.get(method) ?? 0) + 1);
  }

  snapshot(openSubscriptions: number): EmulatorStats {
    return {
      calls: Object.fromEntries(this.calls),
      messagesPublished: this.messagesPublished,
      bytesPublished: this.bytesPublished,
      itemsDelivered: this.itemsDelivered,
      openSubscriptions,
    };
  }

  reset(): void {
    this.calls.clear();
    this.messagesPublished = 0;
    this.bytesPublished = 0;
    this.itemsDelivered = 0;
  }
}
