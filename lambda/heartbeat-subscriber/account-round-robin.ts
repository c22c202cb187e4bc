/**
 * Waiting work kept per account and handed out one account at a time, in turn, so one account's
 * flood waits behind its own messages, not in front of everyone else's. Each account's messages
 * keep their order.
 */
export class AccountRoundRobin<T> {
  private readonly queues = new Map<string, T[]>();
  /** Accounts with waiting work, in the order of their next turn. */
  private turns: string[] = [];
  /** Accounts that have a turn in `turns` (one each, so no account gets two shares). */
  private readonly scheduled = new Set<string>();
  private turnAt = 0;
  private total = 0;

  get size(): number {
    return this.total;
  }

  /** Accounts with waiting work. */
  get accounts(): number {
    return this.queues.size;
  }

  sizeOf(accountId: string): number {
    return this.queues.get(accountId)?.length ?? 0;
  }

  push(accountId: string, item: T): void {
    let queue = this.queues.get(accountId);
    if (!queue) {
      queue = [];
      this.queues.set(accountId, queue);
    }
    if (!this.scheduled.has(accountId)) {
      this.scheduled.add(accountId);
      this.turns.push(accountId);
    }
    queue.push(item);
    this.total += 1;
  }

  /** The next item of the account whose turn it is. */
  shift(): T | undefined {
    while (this.turnAt < this.turns.length) {
      const accountId = this.turns[this.turnAt]!;
      this.turnAt += 1;
      this.scheduled.delete(accountId);
      const queue = this.queues.get(accountId);
      if (!queue || queue.length === 0) continue; // its queue was emptied by dropNewest
      const item = queue.shift()!;
      this.total -= 1;
      if (queue.length > 0) {
        this.scheduled.add(accountId);
        this.turns.push(accountId);
      } else {
        this.queues.delete(accountId);
      }
      this.compact();
      return item;
    }
    return undefined;
  }

  /** The account with the most waiting work (looked for only when shedding). */
  longest(): string | undefined {
    let longest: string | undefined;
    let size = 0;
    for (const [accountId, queue] of this.queues) {
      if (queue.length > size) {
        longest = accountId;
        size = queue.length;
      }
    }
    return longest;
  }

  /** Removes and returns the newest waiting item of an account. */
  dropNewest(accountId: string): T | undefined {
    const queue = this.queues.get(accountId);
    const item = queue?.pop();
    if (item === undefined) return undefined;
    this.total -= 1;
    if (queue!.length === 0) this.queues.delete(accountId); // its stale turn is skipped
    return item;
  }

  private compact(): void {
    if (this.turnAt > 1024 && this.turnAt * 2 > this.turns.length) {
      this.turns = this.turns.slice(this.turnAt);
      this.turnAt = 0;
    }
  }
}
